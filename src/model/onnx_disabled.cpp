// Model::export_onnx in a build without the ONNX library (MAGMADNN_ONNX=OFF).
#include <fmt/format.h>

#include "magmadnn/core/error.h"
#include "magmadnn/model/model.h"

namespace magmadnn::model {

OpsetRange onnx_opsets() { return {}; }

template <typename T>
void Model<T>::export_onnx(const std::string& path, int) const {
    throw UnsupportedError(fmt::format(
        "Model::export_onnx: '{}': this build has no ONNX support; install libonnx-dev and "
        "libprotobuf-dev (scripts/install-deps.sh) and configure with -DMAGMADNN_ONNX=ON",
        path));
}

template void Model<float>::export_onnx(const std::string&, int) const;
template void Model<double>::export_onnx(const std::string&, int) const;

}  // namespace magmadnn::model
