#pragma once
// FFTs (FFTW on the host, cuFFT on the GPU) and the FP16-split FFT.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/fft/fft.h"
#include "magmadnn/fft/fp16split.h"
