#include "magmadnn/backend/threads.h"

#include <cblas.h>
#include <fmt/format.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <string>

#include "magmadnn/core/error.h"

namespace magmadnn {

namespace {
// OpenBLAS's own pool follows the OpenMP count, set once before the first call.
int init_threads() {
    const int n = omp_get_max_threads();
    openblas_set_num_threads(n);
    return n;
}
int& thread_count() {
    static int n = init_threads();
    return n;
}
}  // namespace

int num_threads() { return thread_count(); }

void set_num_threads(int n) {
    if (n < 1) throw ValueError(fmt::format("set_num_threads({}): need at least 1 thread", n));
    thread_count() = n;
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
}

const char* openblas_config() { return openblas_get_config(); }

const char* onednn_version() {
    static const std::string v = [] {
        const dnnl_version_t* ver = dnnl_version();
        return fmt::format("{}.{}.{}", ver->major, ver->minor, ver->patch);
    }();
    return v.c_str();
}

}  // namespace magmadnn
