"""Forbidden APIs: a static check of the source (AST) and run-time guards in the sandboxed child.

A forbidden entry is a dotted name: a function ("torch.softmax"), a class ("torch.nn.Softmax"), a
Tensor method ("torch.Tensor.softmax") or a whole module ("torch.autograd"). The static check
resolves import aliases and attribute chains; the guards replace the real objects, wherever the
runtime exposes them, with wrappers that end the child with a forbidden_api report, so string
tricks (`getattr(x, "soft" + "max")`, `importlib`) are caught as well. Guards are installed only in
the child, after the driver has kept the originals it needs itself.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import ctypes
import functools
import gc
import importlib
import sys
import types
from collections.abc import Callable, Iterable

# Namespaces where the runtime exposes the same function objects under other names.
TORCH_NAMESPACES = (
    "torch",
    "torch.functional",
    "torch.nn.functional",
    "torch.special",
    "torch.linalg",
    "torch.func",
    "torch.autograd",
    "torch.autograd.functional",
    "torch._C._nn",
    "torch._C._special",
    "torch._C._VariableFunctions",
)
TENSOR_PREFIX = "torch.Tensor."
# Introspection helpers torch itself calls while printing or copying tensors; guarding them would
# make an innocent `print(x)` look like forbidden use.
MODULE_GUARD_EXEMPT = frozenset(
    {"unpack_dual", "is_grad_enabled", "is_inference_mode_enabled", "set_grad_enabled"}
)


def _matches(path: str, forbidden: Iterable[str]) -> str | None:
    for name in forbidden:
        if path == name or path.startswith(name + "."):
            return name
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, forbidden: tuple[str, ...]) -> None:
        self.forbidden = forbidden
        self.method_names = {
            name[len(TENSOR_PREFIX) :]: name
            for name in forbidden
            if name.startswith(TENSOR_PREFIX) and name.count(".") == 2
        }
        self.aliases: dict[str, str] = {}
        self.found: list[tuple[str, int]] = []

    def _flag(self, path: str, node: ast.AST) -> bool:
        hit = _matches(path, self.forbidden)
        if hit:
            self.found.append((path, getattr(node, "lineno", 0)))
            return True
        return False

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._flag(alias.name, node)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:  # relative imports have nothing to reach inside the sandbox
            return
        self._flag(module, node)
        for alias in node.names:
            if alias.name == "*":
                continue
            full = f"{module}.{alias.name}"
            if not self._flag(full, node):
                self._method(alias.name, node)
            self.aliases[alias.asname or alias.name] = full

    def _method(self, attr: str, node: ast.AST) -> None:
        if attr in self.method_names:
            self.found.append((self.method_names[attr], getattr(node, "lineno", 0)))

    def _resolve(self, node: ast.AST) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.aliases:
            parts.append(self.aliases[node.id])
            return ".".join(reversed(parts))
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        path = self._resolve(node)
        if path is not None and self._flag(path, node):
            return  # the outer chain is reported; do not report each prefix
        # `x.softmax(...)` on anything: a Tensor method is reached through the instance.
        self._method(node.attr, node)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.aliases and isinstance(node.ctx, ast.Load):
            self._flag(self.aliases[node.id], node)


def forbidden_static(*, tree: ast.AST, forbidden: tuple[str, ...]) -> str | None:
    """The first forbidden use found in the parsed source, as a student-readable message."""
    if not forbidden:
        return None
    scanner = _Scanner(forbidden)
    scanner.visit(tree)
    if not scanner.found:
        return None
    path, line = min(scanner.found, key=lambda item: item[1])
    return f"uses forbidden {path} (line {line})"


# Run-time guards ---------------------------------------------------------------------------------


def _type_dict(cls: type) -> dict:
    """The real __dict__ of a type, also of a built-in one whose mappingproxy refuses writes."""
    return gc.get_referents(cls.__dict__)[0]


def _set_type_attr(cls: type, name: str, value: object) -> None:
    try:
        setattr(cls, name, value)
    except (TypeError, AttributeError):
        _type_dict(cls)[name] = value
        ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))


def _wrap(original: Callable, name: str, report: Callable[[str], None]) -> Callable:
    def guard(*args, **kwargs):
        report(name)
        raise RuntimeError(f"called forbidden {name}")  # only reached if report returns

    with contextlib.suppress(AttributeError, TypeError):
        functools.update_wrapper(guard, original, updated=())
    guard.__dict__.pop("__wrapped__", None)  # do not hand the original back
    return guard


def _resolve_runtime(name: str) -> tuple[object | None, str, object | None]:
    """(owner, attribute, object) for a dotted name, importing the module part when it exists."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj: object = importlib.import_module(module_name)
        except Exception:
            continue
        owner: object | None = None
        attr = ""
        for part in parts[cut:]:
            owner, attr = obj, part
            obj = getattr(obj, part, None)
            if obj is None:
                return owner, attr, None
        return owner, attr, obj
    return None, "", None


_NAMESPACES: list[object] = []


def _namespaces() -> list[object]:
    if _NAMESPACES or "torch" not in sys.modules:
        return list(_NAMESPACES)
    for dotted in TORCH_NAMESPACES:
        _, _, obj = _resolve_runtime(dotted)
        if obj is not None:
            _NAMESPACES.append(obj)
    return list(_NAMESPACES)


def install_guards(*, forbidden: tuple[str, ...], report: Callable[[str], None]) -> None:
    """Replace every forbidden callable by a guard that calls report(name). report must not
    return normally (the child exits from it)."""
    if not forbidden:
        return
    namespaces = _namespaces()
    tensor_types: list[type] = []
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        tensor_types = [torch.Tensor, torch._C.TensorBase]
    for name in forbidden:
        if name.startswith(TENSOR_PREFIX) and name.count(".") == 2:
            _guard_method(name, name[len(TENSOR_PREFIX) :], tensor_types, report)
            continue
        owner, attr, obj = _resolve_runtime(name)
        if obj is None:
            continue
        if isinstance(obj, types.ModuleType):
            _guard_module(obj, name, report)
        elif isinstance(obj, type):
            _guard_class(obj, name, report)
        elif callable(obj):
            guard = _wrap(obj, name, report)
            _replace_everywhere(obj, guard, namespaces + [owner])
            _guard_ops(attr, name, report)
    _guard_importer(forbidden, report)


def _guard_method(name: str, method: str, tensor_types: list[type], report) -> None:
    for cls in tensor_types:
        original = _type_dict(cls).get(method)
        if original is None:
            continue
        _set_type_attr(cls, method, _wrap(original, name, report))
    if method.endswith("_"):
        return
    # The in-place variant computes the same thing.
    for cls in tensor_types:
        original = _type_dict(cls).get(method + "_")
        if original is not None:
            _set_type_attr(cls, method + "_", _wrap(original, name, report))


def _replace_everywhere(original: object, guard: object, namespaces: list[object]) -> None:
    for namespace in namespaces:
        if namespace is None:
            continue
        attrs = _type_dict(type(namespace)) if _is_vf(namespace) else vars(namespace)
        for key in _keys_by_value(namespace, attrs).get(id(original), ()):
            value = attrs.get(key)
            if isinstance(value, staticmethod):
                value = value.__func__
            if value is not original:
                continue  # replaced since the index was built
            if _is_vf(namespace):
                _set_type_attr(type(namespace), key, staticmethod(guard))
            elif isinstance(namespace, type):
                _set_type_attr(namespace, key, guard)
            else:
                setattr(namespace, key, guard)


# id(namespace) -> (attribute count when indexed, id(value) -> keys holding it). Built once per
# process (the fork server builds it before forking, so children inherit it): scanning torch's
# namespaces for every forbidden name cost a child more than all its tests. A namespace whose
# attribute count changed since is indexed again, so an alias added later is still found.
_INDEX: dict[int, tuple[int, dict[int, list[str]]]] = {}


def _keys_by_value(namespace: object, attrs) -> dict[int, list[str]]:
    cached = _INDEX.get(id(namespace))
    if cached is not None and cached[0] == len(attrs):
        return cached[1]
    index: dict[int, list[str]] = {}
    for key, value in list(attrs.items()):
        if isinstance(value, staticmethod):
            value = value.__func__
        index.setdefault(id(value), []).append(key)
    _INDEX[id(namespace)] = (len(attrs), index)
    return index


def index_warm() -> None:
    """Index torch's namespaces now (the fork server calls this before forking children)."""
    for namespace in _namespaces():
        attrs = _type_dict(type(namespace)) if _is_vf(namespace) else vars(namespace)
        _keys_by_value(namespace, attrs)


def _is_vf(namespace: object) -> bool:
    return type(namespace).__name__ == "_VariableFunctionsClass"


def _guard_ops(attr: str, name: str, report) -> None:
    """torch.ops.aten.<op> reaches the same kernel; pre-empt its lazy lookup."""
    torch = sys.modules.get("torch")
    if torch is None or not attr:
        return
    aten = torch.ops.aten
    for op in (attr, "_" + attr):
        with contextlib.suppress(AttributeError, TypeError):
            setattr(aten, op, _wrap(_unreachable, name, report))
        # The private variant (torch._softmax) runs the same kernel.
        vf_original = getattr(torch._C._VariableFunctions, op, None)
        if vf_original is not None and op != attr:
            _replace_everywhere(vf_original, _wrap(vf_original, name, report), _namespaces())


def _unreachable(*args: object, **kwargs: object) -> None:
    return None


def _guard_class(cls: type, name: str, report) -> None:
    for method in ("__init__", "forward", "__call__"):
        original = cls.__dict__.get(method)
        if original is not None and callable(original):
            _set_type_attr(cls, method, _wrap(original, name, report))


def _guard_module(module: types.ModuleType, name: str, report) -> None:
    # Functions defined by the module tree (torch.func is implemented in torch._functorch); names
    # it merely re-exports from shared infrastructure (torch.overrides, typing) stay untouched.
    owners = (name, "torch._functorch") if name == "torch.func" else (name,)
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not (mod_name == name or mod_name.startswith(name + ".")):
            continue
        for key, value in list(vars(mod).items()):
            if key.startswith("_") or key in MODULE_GUARD_EXEMPT:
                continue
            if isinstance(value, types.FunctionType | types.BuiltinFunctionType):
                owner_module = getattr(value, "__module__", "") or ""
                if _matches(owner_module, owners):
                    guard = _wrap(value, f"{mod_name}.{key}", report)
                    _replace_everywhere(value, guard, [mod, *_namespaces()])
    if name == "torch.autograd":
        # Every backward pass (Tensor.backward, autograd.grad) goes through the engine.
        variable = sys.modules["torch.autograd.variable"].Variable
        engine = variable._execution_engine

        class _GuardedEngine:
            def __getattr__(self, attr: str) -> object:
                if attr in ("run_backward", "queue_callback"):
                    report(name)
                return getattr(engine, attr)

        variable._execution_engine = _GuardedEngine()


def _guard_importer(forbidden: tuple[str, ...], report) -> None:
    """`__import__("torch.autograd")` and friends: refuse to hand out a forbidden module."""
    original_import = builtins.__import__
    modules = tuple(name for name in forbidden if _is_module_name(name))
    if not modules:
        return

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller == "__submission__" and level == 0:
            hit = _matches(name, modules)
            if hit is None and fromlist:
                for item in fromlist:
                    hit = _matches(f"{name}.{item}", modules) or hit
            if hit:
                report(hit)
        return original_import(name, globals, locals, fromlist, level)

    builtins.__import__ = guarded_import


def _is_module_name(name: str) -> bool:
    module = sys.modules.get(name)
    return isinstance(module, types.ModuleType)
