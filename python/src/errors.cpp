// magmadnn's errors as Python exceptions: each C++ class becomes a subclass of magmadnn.Error and
// of the built-in exception a Python user would catch (ShapeError is a ValueError, IOError an
// OSError, ...), carrying the C++ message.
#include "bindings.h"

namespace magmadnn::python {

namespace {

struct ErrorClasses {
    PyObject* error = nullptr;
    PyObject* shape = nullptr;
    PyObject* value = nullptr;
    PyObject* io = nullptr;
    PyObject* format = nullptr;
    PyObject* device = nullptr;
    PyObject* numeric = nullptr;
    PyObject* unsupported = nullptr;
};
ErrorClasses classes;

PyObject* add_class(nb::module_& m, const char* name, const char* doc,
                    std::initializer_list<PyObject*> bases) {
    nb::list b;
    for (PyObject* base : bases) b.append(nb::handle(base));
    const std::string qualified = std::string("magmadnn.") + name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, nb::tuple(b).ptr(), nullptr);
    if (cls == nullptr) throw nb::python_error();
    m.attr(name) = nb::handle(cls);  // the module holds the reference from here on
    Py_DECREF(cls);
    return cls;
}

}  // namespace

void bind_errors(nb::module_& m) {
    classes.error = add_class(m, "Error", "Every error magmadnn raises.", {PyExc_RuntimeError});
    classes.shape = add_class(m, "ShapeError", "Operand shapes that do not fit together.",
                              {classes.error, PyExc_ValueError});
    classes.value = add_class(m, "ValueError", "An argument outside its domain.",
                              {classes.error, PyExc_ValueError});
    classes.io = add_class(m, "IOError", "A file that cannot be opened, read or written.",
                           {classes.error, PyExc_OSError});
    classes.format = add_class(m, "FormatError", "A file whose contents break its format.",
                               {classes.error, PyExc_ValueError});
    classes.device = add_class(m, "DeviceError",
                               "A GPU operation where no device is present, or a failed CUDA call.",
                               {classes.error});
    classes.numeric =
        add_class(m, "NumericError", "NaN or infinity where a finite number is required.",
                  {classes.error, PyExc_ArithmeticError});
    classes.unsupported = add_class(m, "UnsupportedError", "A feature this build does not include.",
                                    {classes.error, PyExc_NotImplementedError});

    nb::register_exception_translator([](const std::exception_ptr& p, void*) {
        try {
            std::rethrow_exception(p);
        } catch (const ShapeError& e) {
            PyErr_SetString(classes.shape, e.what());
        } catch (const ValueError& e) {
            PyErr_SetString(classes.value, e.what());
        } catch (const IOError& e) {
            PyErr_SetString(classes.io, e.what());
        } catch (const FormatError& e) {
            PyErr_SetString(classes.format, e.what());
        } catch (const DeviceError& e) {
            PyErr_SetString(classes.device, e.what());
        } catch (const NumericError& e) {
            PyErr_SetString(classes.numeric, e.what());
        } catch (const UnsupportedError& e) {
            PyErr_SetString(classes.unsupported, e.what());
        } catch (const Error& e) {
            PyErr_SetString(classes.error, e.what());
        }
    });
}

}  // namespace magmadnn::python
