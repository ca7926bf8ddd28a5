// PyTorch state dicts (safetensors) into a Model's layers; see torch_import.h for the map.
#include "magmadnn/model/torch_import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "magmadnn/core/error.h"
#include "magmadnn/io/safetensors.h"

namespace magmadnn::model {

namespace {

// "layers.10" after "layers.9": digit runs compare as numbers, the rest as text.
bool natural_less(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
        const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
        if (da && db) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
            while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
            const std::string na = a.substr(i, ie - i), nb = b.substr(j, je - j);
            const auto strip = [](const std::string& s) {
                const auto nz = s.find_first_not_of('0');
                return nz == std::string::npos ? std::string("0") : s.substr(nz);
            };
            const std::string sa = strip(na), sb = strip(nb);
            if (sa.size() != sb.size()) return sa.size() < sb.size();
            if (sa != sb) return sa < sb;
            i = ie, j = je;
            continue;
        }
        if (a[i] != b[j]) return a[i] < b[j];
        ++i, ++j;
    }
    return a.size() - i < b.size() - j;
}

std::string describe(const std::map<std::string, Shape>& tensors) {
    std::vector<std::string> parts;
    for (const auto& [name, shape] : tensors) parts.push_back(name + " " + to_string(shape));
    return fmt::format("{}", fmt::join(parts, ", "));
}

// A model layer with tensors, as PyTorch lays them out.
template <typename T>
struct Slot {
    std::size_t layer = 0;
    std::string type;
    std::map<std::string, Shape> tensors;           // torch name -> torch shape
    std::map<std::string, op::OpPtr<T>> variables;  // torch name -> our variable
};

template <typename T>
std::vector<Slot<T>> slots_of(const Model<T>& model) {
    std::vector<Slot<T>> out;
    const auto& layers = model.layers();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto weights = layers[i]->get_weights();
        const auto state = layers[i]->get_state();
        if (weights.empty() && state.empty()) continue;
        Slot<T> s{i, layers[i]->spec().type, {}, {}};
        for (std::size_t k = 0; k < weights.size(); ++k) {
            // weight and bias: our variables' names are PyTorch's
            const std::string name = weights[k]->name();
            Shape shape = weights[k]->shape();
            if (s.type == "fullyconnected" && k == 0) std::reverse(shape.begin(), shape.end());
            s.tensors[name] = shape;
            s.variables[name] = weights[k];
        }
        for (const auto& st : state) {
            s.tensors[st->name()] = st->shape();
            s.variables[st->name()] = st;
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

std::vector<TorchModule> torch_modules(const std::string& path,
                                       const std::vector<std::string>& order) {
    const io::SafetensorsFile file(path);
    std::map<std::string, TorchModule> by_prefix;
    for (const auto& name : file.names()) {
        const auto dot = name.rfind('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
            throw FormatError(fmt::format(
                "load_torch_state_dict: '{}': tensor '{}' is not a module's (expected keys such "
                "as '0.weight' or 'fc1.bias', as a PyTorch state dict has)",
                path, name));
        }
        const std::string prefix = name.substr(0, dot), leaf = name.substr(dot + 1);
        if (leaf == "num_batches_tracked") continue;  // batch norm's counter: not a weight
        TorchModule& m = by_prefix[prefix];
        m.prefix = prefix;
        m.tensors[leaf] = file.shape(name);
    }
    std::vector<TorchModule> out;
    if (order.empty()) {
        for (auto& [prefix, m] : by_prefix) out.push_back(std::move(m));
        std::sort(out.begin(), out.end(), [](const TorchModule& a, const TorchModule& b) {
            return natural_less(a.prefix, b.prefix);
        });
        return out;
    }
    std::vector<std::string> have;
    for (const auto& [prefix, m] : by_prefix) have.push_back(prefix);
    const std::set<std::string> given(order.begin(), order.end());
    if (given.size() != order.size() || given != std::set<std::string>(have.begin(), have.end())) {
        throw ValueError(fmt::format(
            "load_torch_state_dict: '{}': the module order [{}] must name each of the file's "
            "modules [{}] once",
            path, fmt::join(order, ", "), fmt::join(have, ", ")));
    }
    for (const auto& prefix : order) out.push_back(by_prefix.at(prefix));
    return out;
}

template <typename T>
void load_torch_state_dict(Model<T>& model, const std::string& path,
                           const std::vector<std::string>& order) {
    const std::vector<TorchModule> modules = torch_modules(path, order);
    std::vector<Slot<T>> slots = slots_of(model);
    bool fits = modules.size() == slots.size();
    for (std::size_t k = 0; fits && k < slots.size(); ++k)
        fits = modules[k].tensors == slots[k].tensors;
    if (!fits) {
        std::string table;
        for (std::size_t k = 0; k < std::max(modules.size(), slots.size()); ++k) {
            const std::string ours = k < slots.size()
                                         ? fmt::format("layers.{} {}: {}", slots[k].layer,
                                                       slots[k].type, describe(slots[k].tensors))
                                         : "(none)";
            const std::string theirs =
                k < modules.size()
                    ? fmt::format("{}: {}", modules[k].prefix, describe(modules[k].tensors))
                    : "(none)";
            const bool same =
                k < slots.size() && k < modules.size() && slots[k].tensors == modules[k].tensors;
            table += fmt::format("\n  {} model {}  |  state dict {}", same ? "   " : "!= ", ours,
                                 theirs);
        }
        throw ShapeError(fmt::format(
            "load_torch_state_dict: '{}' does not fit the model: {} modules with tensors in the "
            "state dict, {} layers with tensors in the model, matched in order (nn.Linear "
            "weights shown as PyTorch stores them, {{out, in}}):{}\nCheck the architecture, or "
            "give the modules' order (--modules) when natural order of their names is not the "
            "network's",
            path, modules.size(), slots.size(), table));
    }
    const io::SafetensorsFile file(path);
    for (std::size_t k = 0; k < slots.size(); ++k) {
        for (const auto& [name, variable] : slots[k].variables) {
            Tensor<T> src = file.get_as<T>(modules[k].prefix + "." + name, HOST);
            if (slots[k].type == "fullyconnected" && name == "weight") {
                const index_t out = src.shape(0), in = src.shape(1);
                Tensor<T> t({in, out}, HOST);
                const T* s = src.cdata();
                T* d = t.data();
                for (index_t r = 0; r < out; ++r) {
                    for (index_t c = 0; c < in; ++c) d[c * out + r] = s[r * in + c];
                }
                src = t;
            }
            Tensor<T> dst = variable->output();
            dst.copy_from(src);
        }
    }
}

template void load_torch_state_dict<float>(Model<float>&, const std::string&,
                                           const std::vector<std::string>&);
template void load_torch_state_dict<double>(Model<double>&, const std::string&,
                                            const std::vector<std::string>&);

}  // namespace magmadnn::model
