// Fuzz target: model::sequential over any architecture JSON. A model it builds must build again
// from its own architecture_json().

#include "fuzz_input.h"
#include "magmadnn/model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace magmadnn;
    const std::string json(reinterpret_cast<const char*>(data), size);
    fuzz::expect_errors([&] {
        const auto model = model::sequential<float>(json, 2, optimizer::sgd(0.1));
        const std::string again = model.architecture_json();
        try {
            (void)model::sequential<float>(again, 2, optimizer::sgd(0.1));
        } catch (const Error& e) {
            std::fprintf(stderr, "rebuilding from %s failed: %s\n", again.c_str(), e.what());
            fuzz::violated("a built model's architecture_json() does not build again");
        }
    });
    return 0;
}
