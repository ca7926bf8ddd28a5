#include "fp16split_stages.h"

#include "backend/cpu/isa/dispatch.h"

namespace magmadnn::fft::cpu {

MAGMADNN_ISA_DECLARE(void fft_rows_fp16(index_t rows, index_t n, std::complex<float>* data,
                                        bool split);)

void fft_rows_fp16(index_t rows, index_t n, std::complex<float>* data, bool split) {
    MAGMADNN_ISA_CALL(fft_rows_fp16, rows, n, data, split);
}

}  // namespace magmadnn::fft::cpu
