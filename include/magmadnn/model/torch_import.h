#pragma once
// PyTorch weights into a Model: a state dict saved as safetensors
// (safetensors.torch.save_file(model.state_dict(), path)).
//
// The state dict's modules (each key up to its last '.': "0" and "3" of an nn.Sequential,
// "features.3", "fc1") are taken in natural order (numbers compare as numbers: "2" < "10"), or
// in the order given, and matched one to one with the model's layers that hold tensors:
//   nn.Linear       weight {out, in} -> fullyconnected weight {in, out} (transposed); bias
//   nn.Conv2d       weight {out, in / groups, kh, kw}, bias -> conv2d, as they are
//   nn.BatchNorm2d  weight, bias, running_mean, running_var -> batchnorm, as they are
//                   (num_batches_tracked is not used)
// A module count, key or shape that does not fit is a ShapeError listing both sides.
// docs/INTEROP.md has the map the other way (Model::save's files into PyTorch).

#include <map>
#include <string>
#include <vector>

#include "magmadnn/model/model.h"

namespace magmadnn::model {

struct TorchModule {
    std::string prefix;                    // "0", "features.3", "fc1"
    std::map<std::string, Shape> tensors;  // "weight" -> {out, in}, ...
};

// The modules of a state dict file in the order they are matched: natural order, or `order`
// (every module named once; ValueError listing the file's modules otherwise).
std::vector<TorchModule> torch_modules(const std::string& path,
                                       const std::vector<std::string>& order = {});

// Copies the state dict's tensors into the model's weights and layer state (any float dtype,
// converted to T).
template <typename T>
void load_torch_state_dict(Model<T>& model, const std::string& path,
                           const std::vector<std::string>& order = {});

extern template void load_torch_state_dict<float>(Model<float>&, const std::string&,
                                                  const std::vector<std::string>&);
extern template void load_torch_state_dict<double>(Model<double>&, const std::string&,
                                                   const std::vector<std::string>&);

}  // namespace magmadnn::model
