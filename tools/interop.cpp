// `magmadnn export` (a saved model as ONNX) and `magmadnn import` (PyTorch weights into a saved
// model); docs/INTEROP.md.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "datasets.h"
#include "magmadnn.h"

namespace magmadnn::cli {

namespace {

// The element type a saved model was trained in ("f32" unless its architecture says "f64").
std::string saved_dtype(const std::string& path) {
    const io::SafetensorsFile file(path);
    const auto it = file.metadata().find("magmadnn.architecture");
    if (it == file.metadata().end()) return "f32";  // Model::load explains what is missing
    const auto arch = nlohmann::json::parse(it->second, nullptr, false);
    return arch.is_object() && arch.value("dtype", "f32") == "f64" ? "f64" : "f32";
}

template <typename T>
std::size_t export_model(const std::string& load, const std::string& output, int opset) {
    const auto model = model::Model<T>::load(load, 1);
    model.export_onnx(output, opset);
    return model.layers().size();
}

// The architecture for --model: a built-in one shaped by the state dict's nn.Linear modules, or
// a JSON file.
std::string import_architecture(const std::string& name,
                                const std::vector<model::TorchModule>& modules) {
    std::vector<Shape> linear;  // {out, in} of each nn.Linear, in order
    for (const auto& m : modules) {
        const auto w = m.tensors.find("weight");
        if (w != m.tensors.end() && w->second.size() == 2) linear.push_back(w->second);
    }
    const int classes = linear.empty() ? 10 : static_cast<int>(linear.back()[0]);
    if (name == "lenet5") return lenet5_architecture(classes);
    if (name == "vgg-small") return vgg_small_architecture(classes);
    if (name == "mlp") {
        if (linear.size() < 2) {
            throw ValueError(fmt::format(
                "import --model mlp: the state dict has {} nn.Linear modules; an mlp has an input "
                "layer, hidden layers of one width and an output layer (2 or more); give the "
                "network as an architecture JSON file instead",
                linear.size()));
        }
        MlpShape shape;
        shape.hidden = linear.front()[0];
        shape.layers = static_cast<int>(linear.size()) - 1;
        return mlp_architecture(linear.front()[1], classes, shape);
    }
    return read_text(name);
}

}  // namespace

void add_export_command(CLI::App& app) {
    struct Args {
        std::string load, output;
        int opset = 17;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("export", "Write a saved model as ONNX");
    cmd->add_option("--load", a->load, "a model saved by train --save or import")->required();
    cmd->add_option("-o,--output", a->output, "the ONNX file to write")->required();
    const model::OpsetRange range = model::onnx_opsets();
    cmd->add_option("--opset", a->opset,
                    fmt::format("the ONNX opset ({} to {} in this build)", range.min, range.max))
        ->capture_default_str();
    cmd->callback([a] {
        const std::string dtype = saved_dtype(a->load);
        const std::size_t layers = dtype == "f64"
                                       ? export_model<double>(a->load, a->output, a->opset)
                                       : export_model<float>(a->load, a->output, a->opset);
        fmt::print("wrote {} ({} layers, opset {}, {}; input 'input', output 'output')\n",
                   a->output, layers, a->opset, dtype);
    });
}

void add_import_command(CLI::App& app) {
    struct Args {
        std::string from_torch, model, output;
        std::vector<std::string> modules;
        index_t batch_size = 100;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("import", "Read PyTorch weights into a magmadnn model file");
    cmd->add_option("--from-torch", a->from_torch,
                    "a PyTorch state dict saved as safetensors (safetensors.torch.save_file)")
        ->required();
    cmd->add_option("--model", a->model, "mlp, lenet5, vgg-small, or an architecture JSON file")
        ->required();
    cmd->add_option("-o,--output", a->output, "the model file to write (safetensors)")->required();
    cmd->add_option("--modules", a->modules,
                    "the state dict's modules in the network's order (default: natural order "
                    "of their names)")
        ->delimiter(',');
    cmd->add_option("--batch-size", a->batch_size, "the batch size saved with the model")
        ->capture_default_str();
    cmd->callback([a] {
        const auto modules = model::torch_modules(a->from_torch, a->modules);
        const std::string arch = import_architecture(a->model, modules);
        auto model = model::sequential<float>(arch, a->batch_size, optimizer::Config{});
        model::load_torch_state_dict(model, a->from_torch, a->modules);
        model.save(a->output);
        std::vector<std::string> map;
        std::size_t k = 0;
        for (std::size_t i = 0; i < model.layers().size() && k < modules.size(); ++i) {
            const auto& l = model.layers()[i];
            if (l->get_weights().empty() && l->get_state().empty()) continue;
            map.push_back(
                fmt::format("{} -> layers.{} ({})", modules[k++].prefix, i, l->spec().type));
        }
        fmt::print("wrote {}: {} modules of {}\n  {}\n", a->output, modules.size(), a->from_torch,
                   fmt::join(map, "\n  "));
    });
}

}  // namespace magmadnn::cli
