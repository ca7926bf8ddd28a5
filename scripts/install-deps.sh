#!/usr/bin/env bash
# Installs every Debian package that the build, the tests and the main job need.
# Idempotent: packages already present are skipped, and `apt-get update` runs at most once.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libdnnl-dev              # f32 GEMM (dnnl_sgemm): the fastest measured on AVX-512 machines
  libopenblas-dev liblapacke-dev   # f64 BLAS and LAPACK
  libfftw3-dev
  libxsmm-dev              # JIT small GEMMs: batched GEMM runs them where they measure faster
  g++-aarch64-linux-gnu    # scripts/check-aarch64.sh: the library compiles for aarch64
  libblis4                 # another reference there (opened at run time, never linked)
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev
  zlib1g-dev
  libsqlite3-dev           # hpo: a study's storage
  protobuf-compiler libprotobuf-dev   # TensorBoard event files: protoc compiles their schema
  libboost-dev             # Boost.CRC (header-only): their records' CRC-32C (no libcrc32c in Debian 12)
  libonnx-dev                   # Model::export_onnx: ONNX's own protobuf classes, checker
  libopenmpi-dev openmpi-bin   # data-parallel training (dist::Communicator) and its tests
  libmpich-dev mpich       # scripts/check-mpich.sh (Open MPI stays the default alternative)
  dataset-fashion-mnist    # the main job's data, in /usr/share/datasets/fashion-mnist
  python3                  # safetensors interoperability test (reader written from the spec)
  python3-venv             # scripts/test-venv.sh: PyPI reference packages for some tests
  python3-dev              # the Python package's extension (pip install .)
  python3-numpy python3-scipy python3-pytest python3-torch   # its tests (scripts/python-package.sh)
  clang libclang-rt-dev libomp-dev   # scripts/fuzz.sh: libFuzzer, and OpenMP for clang
  valgrind                           # scripts/memcheck.py
  chromium                 # tests/hpo/report_render_test.py: renders the study report headless
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}" 2>/dev/null; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
