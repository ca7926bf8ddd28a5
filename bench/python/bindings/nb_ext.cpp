#include <nanobind/nanobind.h>

#include "ext.h"

NB_MODULE(nb_ext, m) {
    namespace nb = nanobind;
    nb::class_<bench::Box>(m, "Box");
    m.def("make", &bench::make);
    m.def("add", &bench::add);
    m.def("value", &bench::value);
    m.def("noop", &bench::noop);
}
