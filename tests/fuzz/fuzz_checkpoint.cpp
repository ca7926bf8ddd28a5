// Fuzz target: model::Model<float>::load over any bytes, keeping the batch size saved in the
// file (as `magmadnn evaluate` does).

#include "fuzz_input.h"
#include "magmadnn/model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace magmadnn;
    static const fuzz::ScratchFile file("checkpoint");
    const std::string& path = file.write(data, size);
    fuzz::expect_errors([&] { (void)model::Model<float>::load(path); });
    return 0;
}
