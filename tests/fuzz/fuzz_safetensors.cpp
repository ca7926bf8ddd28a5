// Fuzz target: io::SafetensorsFile over any bytes, then every tensor it lists read as stored
// and converted.

#include "fuzz_input.h"
#include "magmadnn/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace magmadnn;
    static const fuzz::ScratchFile file("safetensors");
    const std::string& path = file.write(data, size);
    fuzz::expect_errors([&] {
        const io::SafetensorsFile f(path);
        for (const std::string& name : f.names()) {
            if (!f.contains(name)) fuzz::violated("names() lists a tensor contains() denies");
            const Shape shape = f.shape(name);
            fuzz::expect_errors([&] {
                const Tensor<float> t = f.get_as<float>(name);
                if (t.shape() != shape) fuzz::violated("get_as returned another shape");
            });
            fuzz::expect_errors([&] { (void)f.get<std::uint8_t>(name); });
        }
    });
    return 0;
}
