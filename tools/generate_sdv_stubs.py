"""Generate the Python of the `sdv.databroker.v1` gRPC API from the vendored .proto files, with grpcio-tools' protoc.

Run by `setup.py` (so every `pip install` of Homebound, editable or not, builds them) and by `make`; the output
goes to `src/homebound/adapters/kuksa/sdv_stubs/`, which holds no hand-written code but its `__init__.py`.
protoc writes absolute imports named after the .proto package (`from sdv.databroker.v1 import types_pb2`); they are
rewritten to the stubs' own package, so Homebound installs no stray top-level `sdv` package.

Standalone on purpose (it runs in pip's isolated build environment, where only setuptools and grpcio-tools are).
"""

from __future__ import annotations

import sys
import tempfile
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KUKSA = Path("src/homebound/adapters/kuksa")
PROTOS = ("sdv/databroker/v1/types.proto", "sdv/databroker/v1/broker.proto", "sdv/databroker/v1/collector.proto")
PACKAGE = "homebound.adapters.kuksa.sdv_stubs"
INIT = '"""The `sdv.databroker.v1` stubs, generated at build time from `../proto` (tools/generate_sdv_stubs.py)."""\n'


def generate(root: Path = ROOT) -> list[Path]:
    """(Re)write the stubs under `root`; return the files whose content changed."""
    from grpc_tools import protoc

    proto_root = root / KUKSA / "proto"
    out = root / KUKSA / "sdv_stubs"
    well_known = resources.files("grpc_tools") / "_proto"
    changed: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        status = protoc.main(["grpc_tools.protoc", f"-I{proto_root}", f"-I{well_known}", f"--python_out={scratch}",
                              f"--grpc_python_out={scratch}", *PROTOS])
        if status != 0:
            raise RuntimeError(f"protoc failed ({status}) on {proto_root}: see its messages above")
        out.mkdir(exist_ok=True)
        outputs = {"__init__.py": INIT}
        for generated in sorted((Path(scratch) / "sdv" / "databroker" / "v1").iterdir()):
            text = generated.read_text(encoding="utf-8")
            outputs[generated.name] = text.replace("from sdv.databroker.v1 import", f"from {PACKAGE} import")
        for name, text in outputs.items():
            target = out / name
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
                changed.append(target)
    return changed


if __name__ == "__main__":
    written = generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
    print(f"sdv.databroker.v1 stubs: {len(written)} file(s) written" if written else "sdv.databroker.v1 stubs: current")
