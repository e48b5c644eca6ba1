"""Forbidden APIs: a static check of the source (AST) and run-time guards in the sandboxed child.

Two kinds of declaration. A forbidden *name* is dotted: a function ("scipy.special.softmax"), a
class, a Tensor method ("torch.Tensor.backward") or a whole module ("torch.autograd"); the guards
replace the real objects, wherever the runtime exposes them, with wrappers that end the child with
a forbidden_api report. A forbidden *operator family* (OP_FAMILIES, the one place they are
declared; an exercise names its own in `forbidden_ops`) is enforced where every route to a
library routine meets, whatever name it was reached by:

- a TorchDispatchMode, pushed before the submission loads, sees every ATen operator that runs
  and refuses the family's; and an operator that runs inside one of torch's Python routines named
  like the family (torch._refs.softmax, nn.LSTM.forward, F.multi_head_attention_forward), found
  on the Python stack; for "autograd", any operator on a tensor that requires grad, and any
  inside a torch.func transform;
- the family's operator kernels are replaced in the dispatcher, process wide: composite
  operators (which decompose before a mode sees them) and the kernels a caller could aim at one
  dispatch key below the mode;
- looking a family operator up by name (torch.ops.aten.X, torch._C._jit_get_operation) is
  refused, and so are the ways of switching the mode off: popping it, pushing another above it,
  excluding the Python dispatch key, registering kernels, a thread started without it (every
  thread starts with it); the driver checks before and after every call that it is in place.

The static check resolves import aliases and attribute chains for early, line-numbered messages,
for names and for torch attributes and "ns::op" strings of a forbidden family. Guards are
installed only in the child, before the submission loads and after the driver has kept the
originals it needs. Everything here runs inside the child's own process: it stops what the torch
and Python APIs offer, not code that digs the originals back out of the interpreter's memory.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import ctypes
import functools
import gc
import importlib
import re
import sys
import types
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class OpFamily:
    """Library routines an exercise may refuse as a whole.

    ops: regular expressions over operator names (the part after "namespace::") and, case-folded,
    over the names of torch's Python routines. names: dotted names refused as well (machinery
    that is no operator). requires_grad: any operator on a tensor that requires grad is refused.
    """

    ops: tuple[str, ...]
    names: tuple[str, ...] = ()
    requires_grad: bool = False


# A library attention computes a softmax inside (flash, efficient and math kernels alike).
_ATTENTION = (r"attention", r"multi_?head", r"flash_", r"_sdpa?_", r"transformer_encoder")
OP_FAMILIES: dict[str, OpFamily] = {
    "softmax": OpFamily(ops=(r"softmax", r"softmin", *_ATTENTION)),
    "attention": OpFamily(ops=_ATTENTION),
    # Every convolution (1-, 2-, 3-D, transposed, cuDNN, MKL-DNN, quantized) and im2col, which is
    # a convolution's output size with extra steps.
    "convolution": OpFamily(ops=(r"conv(?!ert|ex)", r"im2col", r"col2im")),
    "pooling": OpFamily(ops=(r"(?:avg|max|lp|fractional_max)_?pool", r"adaptive_(?:avg|max)")),
    "rnn": OpFamily(ops=(r"lstm", r"gru", r"rnn")),
    "cross_entropy": OpFamily(ops=(r"cross_?entropy", r"nll_?loss", r"log_?softmax")),
    # BCE with logits is soft margin with labels in {-1, 1}.
    "binary_cross_entropy": OpFamily(ops=(r"binary_cross_?entropy", r"bce", r"soft_?margin")),
    "kl_div": OpFamily(ops=(r"kl_?div", r"log_?softmax")),
    "layer_norm": OpFamily(ops=(r"layer_?norm", r"group_?norm", r"instance_?norm")),
    "batch_norm": OpFamily(ops=(r"batch_?norm", r"instance_?norm")),
    "dropout": OpFamily(ops=(r"dropout",)),
    "channel_shuffle": OpFamily(ops=(r"channel_?shuffle",)),
    "multi_margin": OpFamily(ops=(r"multi_?margin",)),
    # Gradients are the exercise: no graph (nothing may run on a tensor that requires grad), no
    # backward kernels, no engine and no functorch transforms.
    "autograd": OpFamily(
        ops=(r"backward",),
        names=(
            "torch.autograd",
            "torch.Tensor.backward",
            "torch.func",
            "torch._functorch",
            "functorch",
            "torch._C._ImperativeEngine",
            "torch._C._functions",
        ),
        requires_grad=True,
    ),
}


def family_pattern(families: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for the families' operator names; None for no family."""
    parts = [part for family in families for part in OP_FAMILIES[family].ops]
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE) if parts else None


def family_names(families: Iterable[str]) -> tuple[str, ...]:
    """The dotted names the families refuse besides their operators."""
    return tuple(name for family in families for name in OP_FAMILIES[family].names)


def _family_of(name: str, families: Iterable[str]) -> str:
    for family in families:
        if any(re.search(part, name, re.IGNORECASE) for part in OP_FAMILIES[family].ops):
            return family
    return ""


def _matches(path: str, forbidden: Iterable[str]) -> str | None:
    for name in forbidden:
        if path == name or path.startswith(name + "."):
            return name
    return None


# The roots under which a name that matches an operator family is the family's routine.
FAMILY_ROOTS = ("torch", "functorch")
_QUALIFIED_OP = re.compile(r"^\s*(\w+)::(\w+)")


class _Scanner(ast.NodeVisitor):
    def __init__(self, forbidden: tuple[str, ...], family: re.Pattern[str] | None) -> None:
        self.forbidden = forbidden
        self.family = family
        self.method_names = {
            name[len(TENSOR_PREFIX) :]: name
            for name in forbidden
            if name.startswith(TENSOR_PREFIX) and name.count(".") == 2
        }
        self.aliases: dict[str, str] = {}
        self.found: list[tuple[str, int]] = []

    def _flag(self, path: str, node: ast.AST) -> bool:
        hit = _matches(path, self.forbidden) or self._in_family(path)
        if hit:
            self.found.append((path, getattr(node, "lineno", 0)))
            return True
        return False

    def _in_family(self, path: str) -> bool:
        root, _, rest = path.partition(".")
        if self.family is None or root not in FAMILY_ROOTS:
            return False
        return any(self.family.search(part) for part in rest.split(".") if part)

    def visit_Constant(self, node: ast.Constant) -> None:
        # "aten::_softmax" handed to an operator lookup.
        if self.family is not None and isinstance(node.value, str) and len(node.value) < 200:
            match = _QUALIFIED_OP.match(node.value)
            if match and self.family.search(match[2]):
                self.found.append((f"{match[1]}::{match[2]}", getattr(node, "lineno", 0)))

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


def forbidden_static(
    *, tree: ast.AST, forbidden: tuple[str, ...], families: tuple[str, ...] = ()
) -> str | None:
    """The first forbidden use found in the parsed source, as a student-readable message."""
    forbidden = tuple(forbidden) + family_names(families)
    family = family_pattern(families)
    if not forbidden and family is None:
        return None
    scanner = _Scanner(forbidden, family)
    scanner.visit(tree)
    if not scanner.found:
        return None
    path, line = min(scanner.found, key=lambda item: item[1])
    return f"uses forbidden {path} (line {line})"


# Run-time guards ---------------------------------------------------------------------------------


def _type_dict(cls: type) -> dict:
    """The real __dict__ of a type, also of a built-in one whose mappingproxy refuses writes."""
    return gc.get_referents(cls.__dict__)[0]


# Resolved once: looking a symbol up in ctypes.pythonapi costs milliseconds the first time.
_TYPE_MODIFIED = ctypes.pythonapi.PyType_Modified


def _set_type_attr(cls: type, name: str, value: object) -> None:
    try:
        setattr(cls, name, value)
    except (TypeError, AttributeError):
        _type_dict(cls)[name] = value
        _TYPE_MODIFIED(ctypes.py_object(cls))


def _wrap(original: Callable, name: str, report: Callable[[str], None]) -> Callable:
    def guard(*args: Any, **kwargs: Any) -> Any:
        report(name)
        raise RuntimeError(f"called forbidden {name}")  # only reached if report returns

    with contextlib.suppress(AttributeError, TypeError):
        functools.update_wrapper(guard, original, updated=())
    guard.__dict__.pop("__wrapped__", None)  # do not hand the original back
    return guard


def _resolve_runtime(name: str) -> tuple[object | None, str, object | None]:
    """(owner, attribute, object) for a dotted name, importing the module part when it exists."""
    parts = name.split(".")
    # Through modules already loaded first: a failed import of `torch.softmax` searches the
    # file system, which cost a child's start about a millisecond over an exercise's names.
    for cut in range(len(parts), 0, -1):
        loaded = sys.modules.get(".".join(parts[:cut]))
        if loaded is None:
            continue
        owner, attr, found = _attribute_path(loaded, parts[cut:])
        if found is not None:
            return owner, attr, found
        break
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj: object = importlib.import_module(module_name)
        except Exception:
            continue
        return _attribute_path(obj, parts[cut:])
    return None, "", None


def _attribute_path(obj: object, parts: list[str]) -> tuple[object | None, str, object | None]:
    owner: object | None = None
    attr = ""
    for part in parts:
        owner, attr = obj, part
        obj = getattr(obj, part, None)
        if obj is None:
            return owner, attr, None
    return owner, attr, obj


_NAMESPACES: list[object] = []


def _namespaces() -> list[object]:
    if _NAMESPACES or "torch" not in sys.modules:
        return list(_NAMESPACES)
    for dotted in TORCH_NAMESPACES:
        _, _, obj = _resolve_runtime(dotted)
        if obj is not None:
            _NAMESPACES.append(obj)
    return list(_NAMESPACES)


# The names install_name_guards guarded in this process (and in the processes it forked).
_NAME_GUARDS: list[tuple[str, ...]] = []


def install_name_guards(*, forbidden: tuple[str, ...]) -> None:
    """install_guards in a zygote, before it forks: the guards report through whatever a child
    forked from it attaches (attach_op_guard)."""
    install_guards(forbidden=forbidden, report=_report)
    _NAME_GUARDS[:] = [tuple(forbidden)]


def name_guards() -> tuple[str, ...]:
    """The names install_name_guards guarded in this process or the one it was forked from."""
    return _NAME_GUARDS[0] if _NAME_GUARDS else ()


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
        elif isinstance(obj, type) and obj.__flags__ & _HEAPTYPE:
            _guard_class(obj, name, report)
        elif isinstance(obj, type):
            # A C type has no Python methods to wrap: the name itself refuses.
            _replace_everywhere(obj, _wrap(obj, name, report), namespaces + [owner])
        elif callable(obj):
            guard = _wrap(obj, name, report)
            _replace_everywhere(obj, guard, namespaces + [owner])
            _guard_ops(attr, name, report)
    _guard_importer(forbidden, report)


def _guard_method(
    name: str, method: str, tensor_types: list[type], report: Callable[[str], None]
) -> None:
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
                _set_type_attr(type(namespace), key, staticmethod(guard))  # type: ignore[arg-type]
            elif isinstance(namespace, type):
                _set_type_attr(namespace, key, guard)
            else:
                setattr(namespace, key, guard)


# id(namespace) -> (attribute count when indexed, id(value) -> keys holding it). Built once per
# process (the fork server builds it before forking, so children inherit it): scanning torch's
# namespaces for every forbidden name cost a child more than all its tests. A namespace whose
# attribute count changed since is indexed again, so an alias added later is still found.
_INDEX: dict[int, tuple[int, dict[int, list[str]]]] = {}


def _keys_by_value(namespace: object, attrs: Any) -> dict[int, list[str]]:
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
    """Index torch's namespaces, operator kernels and family-named routines now (the fork server
    calls this before forking children)."""
    for namespace in _namespaces():
        attrs = _type_dict(type(namespace)) if _is_vf(namespace) else vars(namespace)
        _keys_by_value(namespace, attrs)
    _tables()


def _is_vf(namespace: object) -> bool:
    return type(namespace).__name__ == "_VariableFunctionsClass"


def _guard_ops(attr: str, name: str, report: Callable[[str], None]) -> None:
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


def _guard_class(cls: type, name: str, report: Callable[[str], None]) -> None:
    for method in ("__init__", "forward", "__call__"):
        original = cls.__dict__.get(method)
        if original is not None and callable(original):
            _set_type_attr(cls, method, _wrap(original, name, report))


def _guard_module(module: types.ModuleType, name: str, report: Callable[[str], None]) -> None:
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


def _guard_importer(forbidden: tuple[str, ...], report: Callable[[str], None]) -> None:
    """`__import__("torch.autograd")` and friends: refuse to hand out a forbidden module."""
    original_import = builtins.__import__
    modules = tuple(name for name in forbidden if _is_module_name(name))
    if not modules:
        return

    def guarded_import(
        name: str,
        globals: Any = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
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


# Operator families at run time --------------------------------------------------------------------

# Dispatch keys whose kernels are replaced for a refused operator (each one it has a kernel for):
# a composite operator's decomposition, and the kernels a plain dense tensor can be run through
# when a caller aims at one dispatch key (the others need tensors of their own kind, which go
# through the mode like any other).
COMPOSITE_KEYS = ("CompositeImplicitAutograd",)
BACKEND_KEYS = (
    "CompositeExplicitAutograd",
    "CompositeExplicitAutogradNonFunctional",
    "CPU",
    "CUDA",
    "Meta",
)
# torch._C functions that look an operator up by its name.
OP_LOOKUPS = ("_jit_get_operation", "_get_operation_overload", "_dispatch_find_schema_or_throw")
# torch._C functions and guards that would take the mode off, put another above it, let
# operators run below it or replace kernels; refused while a family is guarded (some only when
# they touch the Python dispatch key or a guarded namespace).
MODE_ESCAPES = (
    "_pop_torch_dispatch_stack",
    "_push_on_torch_dispatch_stack",
    "_set_dispatch_mode",
    "_DisableTorchDispatch",
    "_RestorePythonTLSSnapshot",
    "_dispatch_tls_set_dispatch_key_excluded",
    "_ExcludeDispatchKeyGuard",
    "ExcludeDispatchKeyGuard",
    "_SetExcludeDispatchKeyGuard",
    "_ForceDispatchKeyGuard",
    "_dispatch_library",
)
# Where the guard's own kernels are registered from (they show under this name in the dispatcher).
KERNEL_SOURCE = "<dlquiz operator guard>"
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python (its methods can be wrapped)


@dataclass
class _Tables:
    """Built once per process before any job (the fork server builds it before forking), so a
    child only installs what it is handed."""

    # family -> (namespace, "name.overload", dispatch key, qualified name) to override.
    kernels: dict[str, list[tuple[str, str, str, str]]]
    # family -> (torch.ops namespace, attribute) of operator packets torch had looked up.
    cached_ops: dict[str, list[tuple[object, str]]]
    # id(escape or lookup function) -> the (module, attribute) pairs that hold it.
    holders: dict[int, list[tuple[object, str]]]


_TABLES: list[_Tables] = []
# The installed guard: its families and verify (a process installs one guard, once), and the
# report of the process that runs code under it (set where that code runs: a guard can be
# installed in a parent that only forks).
_GUARD: list[tuple[tuple[str, ...], Callable[[], str | None]]] = []
_REPORT: list[Callable[[str], None]] = []


def _report(what: str) -> None:
    """Report forbidden use (the child ends there); callers raise if this ever returns."""
    for report in _REPORT:
        report(what)


def _refuse(name: str) -> None:
    """Report a forbidden routine, named with its family."""
    families = _GUARD[0][0] if _GUARD else ()
    family = _family_of(name.split("::")[-1], families)
    _report(f"{name} (operator family {family})" if family else name)


def _tables() -> _Tables | None:
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    if _TABLES:
        return _TABLES[0]
    patterns = {family: family_pattern((family,)) for family in OP_FAMILIES}
    has_kernel = torch._C._dispatch_has_kernel_for_dispatch_key
    tables = _Tables(
        kernels={family: [] for family in OP_FAMILIES},
        cached_ops={family: [] for family in OP_FAMILIES},
        holders={},
    )
    for qualified in torch._C._dispatch_get_all_op_names():
        namespace, _, name = qualified.partition("::")
        op, _, overload = name.partition(".")
        for family, pattern in patterns.items():
            if pattern is None or not pattern.search(op):
                continue
            if "backward" in op and not OP_FAMILIES[family].requires_grad:
                continue  # a softmax's gradient is no softmax
            # A composite operator decomposes before the mode sees it: its kernel is replaced
            # always. Backend kernels are replaced for ATen's own operators (not out= variants
            # nor autograd's backward kernels, which the mode meets), against calls aimed at
            # one dispatch key below the mode.
            keys: tuple[str, ...] = COMPOSITE_KEYS
            if namespace == "aten" and "out" not in overload and family != "autograd":
                keys = COMPOSITE_KEYS + BACKEND_KEYS
            tables.kernels[family].extend(
                (namespace, name, key, qualified) for key in keys if has_kernel(qualified, key)
            )
    for namespace in list(vars(torch.ops).values()):
        if isinstance(namespace, torch._ops._OpNamespace):
            for key in list(vars(namespace)):
                for family, pattern in patterns.items():
                    if pattern is not None and pattern.search(key):
                        tables.cached_ops[family].append((namespace, key))
    python_dispatch = importlib.import_module("torch.utils._python_dispatch")
    targets = [getattr(torch._C, name, None) for name in MODE_ESCAPES + OP_LOOKUPS]
    targets.append(python_dispatch._disable_current_modes)
    wanted = {id(target) for target in targets if target is not None}
    for name, module in list(sys.modules.items()):
        if isinstance(module, types.ModuleType) and name.split(".")[0] in FAMILY_ROOTS:
            for key, value in list(vars(module).items()):
                if id(value) in wanted:
                    tables.holders.setdefault(id(value), []).append((module, key))
    _TABLES.append(tables)
    return tables


def install_op_guards(
    *,
    families: tuple[str, ...],
    report: Callable[[str], None] | None = None,
    stop: object = None,
) -> Callable[[], str | None]:
    """Refuse the families' operators from now on (see the module docstring), in this process, the
    processes it forks from this thread and every thread they start. Returns `verify`: None while
    the guard is intact, else what is wrong. `report(name)` (here, or later through
    attach_op_guard) must not return: the child exits from it. `stop`: a code object where the
    search of the Python stack for a family routine may end (the driver's own call)."""
    if report is not None:
        _REPORT[:] = [report]
    pattern = family_pattern(families)
    tables = _tables()
    if pattern is None or tables is None:
        _GUARD[:] = [(tuple(families), _intact)]
        return _intact
    torch = sys.modules["torch"]
    python_dispatch = sys.modules["torch.utils._python_dispatch"]
    kernels = {row[:3]: row[3] for family in families for row in tables.kernels[family]}
    libraries = _override_kernels(torch, kernels)
    _guard_lookups(torch, tables, families, pattern)
    push = torch._C._push_on_torch_dispatch_stack  # before it is guarded
    grad = any(OP_FAMILIES[family].requires_grad for family in families)
    probe = next(iter(kernels.values()), None)
    mode, verify = _push_mode(torch, python_dispatch, pattern, grad, probe, stop, libraries)
    _guard_escapes(torch, tables, python_dispatch, mode)
    _guard_threads(push, mode)
    _GUARD[:] = [(tuple(families), verify)]
    return verify


def attach_op_guard(*, report: Callable[[str], None]) -> tuple[tuple[str, ...], Callable]:
    """In a process forked from one that installed the guard: report through `report` from now
    on. Returns the guard's families and its verify."""
    _REPORT[:] = [report]
    return _GUARD[0] if _GUARD else ((), _intact)


def _intact() -> str | None:
    return None


def _override_kernels(torch: Any, kernels: dict[tuple[str, str, str], str]) -> list[object]:
    """Replace the families' kernels in the dispatcher: process wide, below any mode, and also for
    composite operators, which decompose before a mode sees them."""
    libraries: dict[str, object] = {}
    make = torch._C._dispatch_library
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "overriding a previously registered kernel"
        for (namespace, name, key), qualified in kernels.items():
            library = libraries.get(namespace)
            if library is None:
                library = libraries[namespace] = make("IMPL", namespace, "", KERNEL_SOURCE, 1)
            kernel = _kernel(qualified.split(".")[0])
            library.impl(name, key, kernel, False)  # type: ignore[attr-defined]
    # The registrations last as long as these objects: verify keeps them.
    return list(libraries.values())


def _kernel(name: str) -> Callable[..., None]:
    def kernel(*args: object, **kwargs: object) -> None:
        _refuse(name)
        raise RuntimeError(f"called forbidden {name}")

    return kernel


def _called_by_torch(*, depth: int) -> bool:
    """Whether the Python code `depth` frames up is torch's own (or these guards')."""
    caller = sys._getframe(depth).f_globals.get("__name__", "") or ""
    return caller.split(".")[0] in FAMILY_ROOTS or caller == __name__


def _guard_lookups(torch: Any, tables: _Tables, families: tuple[str, ...], pattern: Any) -> None:
    """No family operator by name: torch.ops.<ns>.<op> and the torch._C lookups behind it. torch
    looks operators up for itself (a module imported later registers rules for some); what it
    hands on still meets the kernels and the mode when it runs."""

    def named(qualified: object) -> str:
        if not isinstance(qualified, str) or _called_by_torch(depth=3):
            return ""
        name = qualified.split("::")[-1].split(".")[0]
        return qualified if pattern.search(name) else ""

    for lookup in OP_LOOKUPS:
        original = getattr(torch._C, lookup, None)
        if original is None:
            continue

        def guard(
            qualified: object, *args: object, _original: Any = original, **kwargs: object
        ) -> Any:
            hit = named(qualified)
            if hit:
                _refuse(hit)
                raise RuntimeError(f"called forbidden {hit}")
            return _original(qualified, *args, **kwargs)

        _replace_holders(tables, original, guard)
    namespace_type = torch._ops._OpNamespace
    original_getattr = namespace_type.__getattr__

    def getattr_guard(self: Any, op_name: str) -> Any:
        if pattern.search(op_name) and not _called_by_torch(depth=2):
            _refuse(f"torch.ops.{self.name}.{op_name}")
            raise AttributeError(op_name)
        return original_getattr(self, op_name)

    namespace_type.__getattr__ = getattr_guard
    for family in families:
        for namespace, key in tables.cached_ops[family]:
            vars(namespace).pop(key, None)


def _replace_holders(tables: _Tables, original: object, replacement: object) -> None:
    for module, key in tables.holders.get(id(original), ()):
        if vars(module).get(key) is original:
            setattr(module, key, replacement)


def _push_mode(
    torch: Any,
    python_dispatch: Any,
    pattern: Any,
    grad: bool,
    probe: Any,
    stop: Any,
    libraries: Any,
) -> Any:
    """Push the guard's dispatch mode; returns (mode, verify)."""
    C = torch._C
    push = C._push_on_torch_dispatch_stack
    depth, at = C._len_torch_dispatch_stack, C._get_dispatch_stack_at
    excluded = C._dispatch_tls_is_dispatch_key_excluded
    python_keys = (C.DispatchKey.Python, C.DispatchKey.PythonTLSSnapshot)
    level = C._functorch.maybe_current_level
    dump = C._dispatch_dump
    frame_at = sys._getframe
    detach = torch.ops.aten.detach.default
    tensor = torch.Tensor
    verdicts: dict[object, str] = {}
    routines: dict[object, str] = {stop: ""} if stop is not None else {}

    def classify(func: object) -> str:
        schema = getattr(func, "_schema", None)
        qualified = schema.name if schema is not None else str(getattr(func, "_name", func))
        return qualified if pattern.search(qualified.split("::")[-1]) else ""

    def routine(frame: Any) -> str:
        """A torch routine named like the family running this operator (torch._refs.softmax,
        nn.LSTM.forward, F.multi_head_attention_forward: Python that ends in plain operators)."""
        while frame is not None:
            code = frame.f_code
            hit = routines.get(code)
            if hit is None:
                module = frame.f_globals.get("__name__", "") or ""
                named = module.split(".")[0] in FAMILY_ROOTS and any(
                    pattern.search(part) for part in code.co_qualname.split(".")
                )
                hit = routines[code] = f"{module}.{code.co_qualname}" if named else ""
            elif code is stop:
                return ""
            if hit:
                return hit
            frame = frame.f_back
        return ""

    def requires_grad(values: Any) -> bool:
        for value in values:
            if isinstance(value, tensor):
                if value.requires_grad:
                    return True
            elif type(value) in (list, tuple):
                for item in value:
                    if isinstance(item, tensor) and item.requires_grad:
                        return True
        return False

    class OperatorGuard(python_dispatch.TorchDispatchMode):
        @classmethod
        def _should_skip_dynamo(cls) -> bool:
            return False  # else torch wraps the dispatch in a lazy `import torch._dynamo` (3 s)

        def __torch_dispatch__(
            self, func: Any, types: Any, args: Any = (), kwargs: Any = None
        ) -> Any:
            verdict = verdicts.get(func)
            if verdict is None:
                verdict = verdicts[func] = classify(func)
            if not verdict:
                verdict = routine(frame_at(1))
            if verdict:
                _refuse(verdict)
                raise RuntimeError(f"called forbidden {verdict}")
            # detach is how the driver takes a returned tensor apart; it builds no graph.
            if grad and func is not detach:
                if requires_grad(args) or (kwargs and requires_grad(kwargs.values())):
                    _report(f"{func} on a tensor that requires grad (autograd)")
                    raise RuntimeError("autograd")
                if level() is not None:
                    _report("a torch.func transform (autograd)")
                    raise RuntimeError("autograd")
            return func(*args, **(kwargs or {}))

    dispatch = OperatorGuard.__dict__["__torch_dispatch__"]
    mode = OperatorGuard()
    push(mode)

    def verify(_libraries: list[object] = libraries) -> str | None:
        if depth() != 1 or at(0) is not mode:
            return "its dispatch mode is gone"
        if any(excluded(key) for key in python_keys):
            return "the Python dispatch key is excluded"
        if OperatorGuard.__dict__.get("__torch_dispatch__") is not dispatch:
            return "its dispatch mode was changed"
        if probe is not None and KERNEL_SOURCE not in dump(probe):
            return "its kernels are gone"
        return None

    return mode, verify


def _guard_escapes(torch: Any, tables: _Tables, python_dispatch: Any, mode: object) -> None:
    C = torch._C
    depth, at = C._len_torch_dispatch_stack, C._get_dispatch_stack_at
    python_keys = {C.DispatchKey.Python, C.DispatchKey.PythonTLSSnapshot}
    namespaces = {"_", "prim", "prims"} | {
        row[0] for rows in tables.kernels.values() for row in rows
    }

    def has_python(keyset: object) -> bool:
        return any(keyset.has(key) for key in python_keys)  # type: ignore[attr-defined]

    def check(name: str, args: tuple, kwargs: dict) -> bool:
        """True when the call would take the mode off or let operators run below it."""
        if name == "_pop_torch_dispatch_stack":
            # With a key it pops an infrastructure mode (fake, proxy), never the guard's.
            key = args[0] if args else kwargs.get("mode_key")
            return key is None and depth() > 0 and at(0) is mode
        if name in ("_dispatch_tls_set_dispatch_key_excluded", "_SetExcludeDispatchKeyGuard"):
            return bool(args[:1]) and args[0] in python_keys and bool(args[1:2] and args[1])
        if name in ("_ExcludeDispatchKeyGuard", "ExcludeDispatchKeyGuard"):
            return bool(args) and has_python(args[0])
        if name == "_ForceDispatchKeyGuard":
            return len(args) < 2 or has_python(args[1])
        if name == "_dispatch_library":
            return args[:1] != ("DEF",) and (args[1:2] or ("",))[0] in namespaces
        return True

    for name in MODE_ESCAPES:
        original = getattr(C, name, None)
        if original is None:
            continue

        def guard(
            *args: object, _name: str = name, _original: Any = original, **kwargs: object
        ) -> Any:
            if check(_name, args, kwargs):
                what = f"torch._C.{_name} (it would switch off the operator guard)"
                _report(what)
                raise RuntimeError(f"called forbidden {what}")
            return _original(*args, **kwargs)

        _replace_holders(tables, original, guard)

    # Tensor printing (and other internals) step out of every mode; the guard's stays on.
    @contextlib.contextmanager
    def keep_modes() -> Iterator[list[object]]:
        yield []

    _replace_holders(tables, python_dispatch._disable_current_modes, keep_modes)


def _guard_threads(push: Callable[[object], None], mode: object) -> None:
    """A dispatch mode is per thread: every thread starts with the guard's mode pushed."""
    import _thread
    import threading

    start = _thread.start_new_thread

    def boot(function: Any, args: Any, kwargs: Any) -> Any:
        push(mode)
        function(*args, **kwargs)

    def start_new_thread(function: Any, args: Any = (), kwargs: Any = None) -> Any:
        return start(boot, (function, tuple(args), dict(kwargs or {})))

    for key in ("start_new_thread", "start_new"):
        if getattr(_thread, key, None) is start:
            setattr(_thread, key, start_new_thread)
    if getattr(threading, "_start_new_thread", None) is start:
        threading._start_new_thread = start_new_thread  # type: ignore[attr-defined]
