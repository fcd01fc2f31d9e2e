"""Regenerates the Python modules of the oms.v1 protos: ``python -m protos.generate``.

The .proto files import each other as ``protos/oms/v1/<name>.proto`` so the
generated modules import as ``protos.oms.v1.<name>_pb2``: every client, the
gateway and the benchmarks import one place.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

from google.protobuf import descriptor_pb2

REPO_ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = REPO_ROOT / "protos" / "oms" / "v1"


def proto_files() -> list[Path]:
    return sorted(PROTO_DIR.glob("*.proto"))


def _include_paths() -> list[str]:
    grpc_tools_protos = resources.files("grpc_tools") / "_proto"  # no import of the compiler itself
    # googleapis-common-protos ships google/rpc/*.proto beside its modules.
    import google.rpc.status_pb2 as status_pb2

    googleapis_root = Path(status_pb2.__file__).resolve().parents[2]
    return [str(REPO_ROOT), str(grpc_tools_protos), str(googleapis_root)]


def _protoc(*args: str) -> None:
    # In a child process: protoc's C++ runtime loaded into a process that also
    # loads Ray's aborts it, so the test suite must not import it in-process.
    argv = [sys.executable, "-m", "grpc_tools.protoc", *(f"-I{p}" for p in _include_paths()), *args]
    argv += [str(p.relative_to(REPO_ROOT)) for p in proto_files()]
    done = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"protoc failed: {done.stderr}")


def generate(out_dir: Path = REPO_ROOT) -> None:
    _protoc(f"--python_out={out_dir}", f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}")


def descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """The descriptors the .proto files describe now, to compare with the generated modules."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        _protoc(f"--descriptor_set_out={out}")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def main() -> int:
    generate()
    for path in proto_files():
        print(f"generated {path.relative_to(REPO_ROOT).with_suffix('')}_pb2.py, _pb2.pyi, _pb2_grpc.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
