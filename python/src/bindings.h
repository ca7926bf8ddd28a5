#pragma once
// The parts of the _magmadnn extension, each binding one layer of the library.

#include "any_tensor.h"

namespace magmadnn::python {

void bind_errors(nb::module_& m);
void bind_tensor(nb::module_& m);
void bind_math(nb::module_& m);
void bind_info(nb::module_& m);
void bind_ops(nb::module_& m);
void bind_layers(nb::module_& m);
void bind_optimizers(nb::module_& m);
void bind_model(nb::module_& m);
void bind_linalg(nb::module_& m);
void bind_fft(nb::module_& m);
void bind_data(nb::module_& m);

}  // namespace magmadnn::python
