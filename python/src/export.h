#pragma once
// Handing a Tensor's memory to other libraries without a copy: NumPy (numpy(), the
// __array_interface__) and DLPack (__dlpack__ / __dlpack_device__, from_dlpack). The exported
// array keeps the Python Tensor, and so its storage, alive.

#include "any_tensor.h"

namespace magmadnn::python {

// A NumPy array viewing the tensor's host memory (HOST, MANAGED's host copy, CUDA_MANAGED);
// DeviceError for DEVICE memory, TypeError for bfloat16, which NumPy lacks.
nb::object to_numpy(nb::handle self);
// NumPy's __array_interface__ (version 3) of the same view.
nb::dict array_interface(nb::handle self);

// (device type, device id) as DLPack numbers them: (1, 0) for HOST, (2, gpu) for DEVICE and
// MANAGED (whose device copy is exported), (13, gpu) for CUDA_MANAGED.
nb::tuple dlpack_device(const PyTensor& t);
// A DLPack capsule of the tensor (the array API's __dlpack__): `dl_device` (1, 0) asks for a
// MANAGED tensor's host copy, or, with copy not False, a host copy of a DEVICE tensor. A CUDA
// consumer's `stream` is honoured by waiting for the device's queued work.
nb::object dlpack(nb::handle self, nb::handle stream, nb::handle max_version, nb::handle dl_device,
                  nb::handle copy);
// A Tensor sharing the memory of any object with __dlpack__ (PyTorch, NumPy, CuPy, JAX, ...);
// copy = True copies it.
PyTensor from_dlpack(nb::handle obj, bool copy);

}  // namespace magmadnn::python
