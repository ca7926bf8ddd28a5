// `magmadnn info`: what this build contains and what the machine offers.
#include <fmt/format.h>
#include <omp.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "magmadnn.h"

namespace magmadnn::cli {

namespace {

nlohmann::json collect() {
    nlohmann::json j;
    j["version"] = MAGMADNN_VERSION;
    j["compiler"] = MAGMADNN_COMPILER;
    j["build_type"] = MAGMADNN_BUILD_TYPE;
    j["threads"] = num_threads();
    nlohmann::json compiled = nlohmann::json::array(), supported = nlohmann::json::array();
    for (cpu::Isa i : cpu::compiled_isas()) compiled.push_back(cpu::isa_name(i));
    for (cpu::Isa i : cpu::supported_isas()) supported.push_back(cpu::isa_name(i));
    j["cpu"] = {{"baseline", MAGMADNN_CPU_BASELINE},
                {"targets_compiled", compiled},
                {"targets_supported", supported},
                {"target_detected", cpu::isa_name(cpu::detected_isa())},
                {"target_active", cpu::isa_name(cpu::active_isa())}};
    j["blas"] = {{"sgemm", math::host_sgemm_library()},
                 {"onednn", onednn_version()},
                 {"openblas", openblas_config()}};
    const dist::Communicator& world = dist::Communicator::world();
    j["dist"] = {{"mpi_compiled", MAGMADNN_MPI == 1},    {"mpi_library", world.library()},
                 {"world_size", world.size()},           {"rank", world.rank()},
                 {"cuda_aware_mpi", world.cuda_aware()}, {"gpu", world.device()}};
    try {  // how GPU gradients would travel (MAGMADNN_DIST_DEVICE may name an unusable one)
        j["dist"]["gpu_transport"] = dist::to_string(dist::DeviceCollectives::choose(world));
    } catch (const Error& e) {
        j["dist"]["gpu_transport"] = std::string("error: ") + e.what();
    }
    const model::OpsetRange opsets = model::onnx_opsets();
    j["onnx"] = {{"compiled", MAGMADNN_ONNX == 1}, {"opsets", {opsets.min, opsets.max}}};
    j["cuda_compiled"] = cuda_compiled();
    if (cuda_compiled()) {
        j["cuda_architectures"] = MAGMADNN_CUDA_ARCHITECTURES;
        j["cuda_runtime"] = cuda_runtime_version();
        j["cuda_driver"] = cuda_driver_version();
        j["cublas"] = cublas_version();
        j["cudnn"] = cudnn_version();
        j["nccl"] = nccl_version();
    }
    nlohmann::json devices = nlohmann::json::array();
    for (const GpuInfo& g : gpus()) {
        devices.push_back(
            {{"index", g.index},
             {"name", g.name},
             {"compute_capability", fmt::format("{}.{}", g.compute_major, g.compute_minor)},
             {"memory_bytes", g.total_memory}});
    }
    j["gpus"] = devices;
    nlohmann::json convs = nlohmann::json::object();
    for (const auto& [key, algo] : conv::cached_choices()) convs[key] = conv::to_string(algo);
    j["conv_algorithms"] = {{"cache", conv::cache_path()}, {"choices", convs}};
    return j;
}

}  // namespace

void add_info_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("info", "Show the version, BLAS, CUDA and the GPUs found");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->callback([json] {
        const nlohmann::json j = collect();
        if (*json) {
            fmt::print("{}\n", j.dump());
            return;
        }
        fmt::print("magmadnn {} ({}, {})\n", j["version"].get<std::string>(),
                   j["compiler"].get<std::string>(), j["build_type"].get<std::string>());
        fmt::print("CPU threads:   {}\n", j["threads"].get<int>());
        const auto& c = j["cpu"];
        const auto list = [](const nlohmann::json& a) {
            std::string s;
            for (const auto& e : a) s += (s.empty() ? "" : ", ") + e.get<std::string>();
            return s;
        };
        fmt::print("CPU kernels:   {} active (detected {}; compiled {}; baseline {})\n",
                   c["target_active"].get<std::string>(), c["target_detected"].get<std::string>(),
                   list(c["targets_compiled"]), c["baseline"].get<std::string>());
        fmt::print("f32 GEMM:      {} (oneDNN {})\n", j["blas"]["sgemm"].get<std::string>(),
                   j["blas"]["onednn"].get<std::string>());
        fmt::print("f64 BLAS:      {}\n", j["blas"]["openblas"].get<std::string>());
        const auto& d = j["dist"];
        fmt::print("MPI:           {}; rank {} of {}; {}CUDA-aware; GPU gradients by {}\n",
                   d["mpi_compiled"].get<bool>() ? "compiled in" : "not compiled in",
                   d["rank"].get<int>(), d["world_size"].get<int>(),
                   d["cuda_aware_mpi"].get<bool>() ? "" : "not ",
                   d["gpu_transport"].get<std::string>());
        if (j["onnx"]["compiled"].get<bool>()) {
            fmt::print("ONNX export:   opsets {} to {}\n", j["onnx"]["opsets"][0].get<int>(),
                       j["onnx"]["opsets"][1].get<int>());
        } else {
            fmt::print("ONNX export:   not compiled in\n");
        }
        if (!j["cuda_compiled"].get<bool>()) {
            fmt::print("CUDA:          not compiled in\n");
        } else {
            fmt::print("CUDA:          compiled in (sm {}), runtime {}, driver {}\n",
                       j["cuda_architectures"].get<std::string>(),
                       j["cuda_runtime"].get<std::string>(), j["cuda_driver"].get<std::string>());
            const std::string cudnn = j["cudnn"].get<std::string>();
            fmt::print(
                "cuBLAS {}, cuDNN {}, NCCL {}\n", j["cublas"].get<std::string>(),
                cudnn.empty() ? "not compiled in (GPU convolutions stage through the host)" : cudnn,
                j["nccl"].get<std::string>());
        }
        if (j["gpus"].empty()) {
            fmt::print("GPUs:          none found\n");
        }
        for (const auto& g : j["gpus"]) {
            fmt::print("GPU {}:         {} (compute {}, {:.1f} GiB)\n", g["index"].get<int>(),
                       g["name"].get<std::string>(), g["compute_capability"].get<std::string>(),
                       g["memory_bytes"].get<double>() / (1 << 30));
        }
        const auto& conv = j["conv_algorithms"];
        fmt::print("conv choices:  {} ({} cached)\n", conv["cache"].get<std::string>(),
                   conv["choices"].size());
        for (const auto& [key, algo] : conv["choices"].items()) {
            fmt::print("  {:<56} {}\n", key, algo.get<std::string>());
        }
    });
}

}  // namespace magmadnn::cli
