// Cross-language check: our files read by an independent Python reader written from the spec
// (read_safetensors.py, standard library only), and files it writes read here.

#include <gtest/gtest.h>

#include <cstdlib>

#include "data/temp_dir.h"
#include "io/reference_content.h"

using namespace magmadnn;

namespace {

bool have_python() { return std::system("python3 --version > /dev/null 2>&1") == 0; }

int run_script(const std::string& mode, const std::string& path) {
    const std::string cmd =
        std::string("python3 '") + MAGMADNN_SAFETENSORS_PY + "' " + mode + " '" + path + "'";
    return std::system(cmd.c_str());
}

template <typename T>
void expect_reference(const io::SafetensorsFile& f, const std::string& name, const Shape& shape) {
    EXPECT_EQ(f.shape(name), shape) << name;
    EXPECT_EQ(f.dtype(name), dtype_of<T>::value) << name;
    EXPECT_TRUE(test::same_elements(f.get<T>(name), test::reference_tensor<T>(shape))) << name;
}

}  // namespace

TEST(SafetensorsPython, CppWritesPythonReads) {
    if (!have_python()) GTEST_SKIP() << "python3 is not installed";
    test::TempDir dir;
    const std::string path = dir.file("cpp.safetensors");
    test::reference_writer().write(path);
    EXPECT_EQ(run_script("read", path), 0) << "the Python reader rejected " << path;
}

TEST(SafetensorsPython, PythonWritesCppReads) {
    if (!have_python()) GTEST_SKIP() << "python3 is not installed";
    test::TempDir dir;
    const std::string path = dir.file("py.safetensors");
    ASSERT_EQ(run_script("write", path), 0);
    const io::SafetensorsFile f(path);
    EXPECT_EQ(f.names().size(), 8u);
    for (const auto& [k, v] : test::reference_metadata()) EXPECT_EQ(f.metadata().at(k), v);
    expect_reference<float>(f, "w_f32", {3, 4});
    expect_reference<double>(f, "w_f64", {2, 2, 3});
    expect_reference<f16>(f, "w_f16", {5});
    expect_reference<bf16>(f, "w_bf16", {2, 3});
    expect_reference<std::int32_t>(f, "n_i32", {4, 2});
    expect_reference<std::uint8_t>(f, "p_u8", {7});
    expect_reference<float>(f, "scalar", {});
    expect_reference<double>(f, "empty", {0, 3});
}
