"""Every public class, function and method of the package has its own docstring, and help() shows it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import pydoc

import pytest

import tfopt_docs


def _public_modules() -> list[str]:
    names = ["tfopt_docs"]
    for info in pkgutil.walk_packages(tfopt_docs.__path__, "tfopt_docs."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _public_objects() -> list[tuple[str, object]]:
    found: dict[str, object] = {}
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not obj.__module__.startswith("tfopt_docs"):
                continue
            qualname = f"{obj.__module__}.{obj.__qualname__}"
            found[qualname] = obj
            if inspect.isclass(obj):
                for attr in vars(obj):
                    if attr.startswith("_") or not callable(getattr(obj, attr)):
                        continue
                    found[f"{qualname}.{attr}"] = getattr(obj, attr)
    return sorted(found.items())


OBJECTS = _public_objects()


def test_the_walk_finds_the_optimizers_and_their_methods():
    names = {name for name, _ in OBJECTS}
    assert "tfopt_docs.reference.optimizers.adam_family.Adam" in names
    assert "tfopt_docs.reference.optimizers.base.Optimizer.step" in names
    assert "tfopt_docs.keras_compare.run_side_by_side" in names
    assert len(OBJECTS) > 60


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[name for name, _ in OBJECTS])
def test_has_its_own_docstring_and_help_shows_it(name, obj):
    own = obj.__doc__
    if inspect.isclass(obj):
        own = vars(obj).get("__doc__")
    assert isinstance(own, str) and own.strip(), f"{name} has no docstring of its own"
    first_line = inspect.cleandoc(own).splitlines()[0].strip()
    shown = " ".join(pydoc.render_doc(obj, renderer=pydoc.plaintext).split())
    assert " ".join(first_line.split()) in shown, f"help({name}) does not show its docstring"
