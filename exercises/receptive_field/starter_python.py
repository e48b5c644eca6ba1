def receptive_field(layers):
    """Return (size, jump) of the last layer's output unit on the input; (1, 1) for no layers."""
    raise NotImplementedError
