// Fuzz target: data::read_idx over any bytes, plain or gzip-compressed.

#include "fuzz_input.h"
#include "magmadnn/data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace magmadnn;
    static const fuzz::ScratchFile file("idx");
    const std::string& path = file.write(data, size);
    fuzz::expect_errors([&] {
        const Tensor<std::uint8_t> t = data::read_idx(path);
        const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
        // a plain file read whole is its header and the data, nothing else
        if (!gzip && 4 + 4 * t.shape().size() + static_cast<std::size_t>(t.size()) != size) {
            fuzz::violated("read_idx accepted a plain file whose size is not header + data");
        }
    });
    return 0;
}
