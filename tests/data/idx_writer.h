#pragma once
// Builds IDX files for the tests: header bytes, data, optional gzip (through zlib).

#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace magmadnn::test {

inline std::vector<unsigned char> idx_bytes(const std::vector<std::uint32_t>& dims,
                                            const std::vector<unsigned char>& data,
                                            unsigned char type = 0x08) {
    std::vector<unsigned char> out{0, 0, type, static_cast<unsigned char>(dims.size())};
    for (std::uint32_t d : dims) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.push_back(static_cast<unsigned char>((d >> shift) & 0xffu));
        }
    }
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

inline bool write_gz(const std::string& path, const std::vector<unsigned char>& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    if (f == nullptr) return false;
    const int n = gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    return gzclose(f) == Z_OK && n == static_cast<int>(bytes.size());
}

}  // namespace magmadnn::test
