#pragma once
// The error hierarchy. Every message names the op or file, the shapes or bytes, and the fix.

#include <stdexcept>
#include <string>

namespace magmadnn {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Operand shapes that do not fit together (matmul inner dimensions, broadcasting, reshape).
class ShapeError : public Error {
  public:
    using Error::Error;
};

// An argument outside its domain: a bad index, an unknown name, a negative size.
class ValueError : public Error {
  public:
    using Error::Error;
};

// A file that cannot be opened, read or written.
class IOError : public Error {
  public:
    using Error::Error;
};

// A file whose contents break its format (truncated, wrong magic, bad header).
class FormatError : public Error {
  public:
    using Error::Error;
};

// A GPU operation asked for where no device is present, or a CUDA call that failed.
class DeviceError : public Error {
  public:
    using Error::Error;
};

// NaN or infinity where a finite number is required (a diverging loss, a singular matrix).
class NumericError : public Error {
  public:
    using Error::Error;
};

// A feature that this build does not include (for example CUDA in a CPU-only build).
class UnsupportedError : public Error {
  public:
    using Error::Error;
};

}  // namespace magmadnn
