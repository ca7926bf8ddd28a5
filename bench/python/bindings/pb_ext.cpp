#include <pybind11/pybind11.h>

#include "ext.h"

PYBIND11_MODULE(pb_ext, m) {
    namespace py = pybind11;
    py::class_<bench::Box>(m, "Box");
    m.def("make", &bench::make);
    m.def("add", &bench::add);
    m.def("value", &bench::value);
    m.def("noop", &bench::noop);
}
