#include "magmadnn/dist/strategy.h"

#include <fmt/format.h>

#include "magmadnn/core/error.h"

namespace magmadnn::dist {

std::string to_string(Strategy s) {
    switch (s) {
        case Strategy::automatic:
            return "automatic";
        case Strategy::local:
            return "local";
        case Strategy::allreduce:
            return "allreduce";
        case Strategy::ring:
            return "ring";
        case Strategy::master_worker:
            return "master-worker";
        case Strategy::async:
            return "async";
    }
    return "?";
}

Strategy parse_strategy(const std::string& name) {
    for (Strategy s : {Strategy::automatic, Strategy::local, Strategy::allreduce, Strategy::ring,
                       Strategy::master_worker, Strategy::async}) {
        if (name == to_string(s)) return s;
    }
    throw ValueError(
        fmt::format("dist: unknown strategy '{}'; choose automatic, local, allreduce, ring, "
                    "master-worker or async",
                    name));
}

Strategy resolve(Strategy s, int world_size) {
    if (s != Strategy::automatic) return s;
    return world_size > 1 ? Strategy::allreduce : Strategy::local;
}

}  // namespace magmadnn::dist
