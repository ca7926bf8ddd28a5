// Model metadata: strings set on a model survive save/load and travel into fit's checkpoints.
#include <gtest/gtest.h>

#include <filesystem>

#include "data/temp_dir.h"
#include "magmadnn.h"

using namespace magmadnn;

namespace {

model::Model<float> tiny_mlp(index_t batch) {
    return model::sequential<float>(
        R"({"input_shape": [3], "layers": [{"type": "fullyconnected", "units": 2}]})", batch,
        optimizer::sgd(0.1));
}

}  // namespace

TEST(ModelMetadata, SurvivesSaveAndLoad) {
    test::TempDir dir;
    auto model = tiny_mlp(4);
    EXPECT_TRUE(model.metadata().empty());
    model.set_metadata("magmadnn.label_values", "[-1,1]");
    model.set_metadata("user.note", "first");
    model.set_metadata("user.note", "second");  // replaces
    model.set_metadata("user.text", "a \"quoted\"\nline, {not json");
    const std::string path = (dir.path() / "m.safetensors").string();
    model.save(path);
    const auto loaded = model::Model<float>::load(path);
    const std::map<std::string, std::string> want{{"magmadnn.label_values", "[-1,1]"},
                                                  {"user.note", "second"},
                                                  {"user.text", "a \"quoted\"\nline, {not json"}};
    EXPECT_EQ(loaded.metadata(), want);
    // the file holds them as plain safetensors metadata, beside the model's own keys
    const io::SafetensorsFile file(path);
    EXPECT_EQ(file.metadata().at("user.note"), "second");
    EXPECT_TRUE(file.metadata().contains("magmadnn.architecture"));
    // a loaded model saved again keeps them
    const std::string again = (dir.path() / "again.safetensors").string();
    loaded.save(again);
    EXPECT_EQ(model::Model<float>::load(again).metadata(), want);
}

TEST(ModelMetadata, CheckpointsCarryIt) {
    test::TempDir dir;
    auto model = tiny_mlp(4);
    model.set_metadata("magmadnn.standardize", R"({"mean":[0,0,0],"std":[1,1,1]})");
    Tensor<float> x({8, 3}), y({8, 2});
    for (index_t i = 0; i < 8; ++i) y.set({i, i % 2}, 1.0f);
    model::FitOptions o;
    o.verbosity = model::Verbosity::silent;
    o.checkpoint = (dir.path() / "ckpt").string() + "/";
    model.fit(x, y, 1, o);
    const auto files = model::checkpoints_in((dir.path() / "ckpt").string());
    ASSERT_FALSE(files.empty());
    EXPECT_EQ(model::Model<float>::load(files.front()).metadata().at("magmadnn.standardize"),
              R"({"mean":[0,0,0],"std":[1,1,1]})");
}

TEST(ModelMetadata, BadKeysAreRefused) {
    auto model = tiny_mlp(2);
    for (const char* key : {"", "note", ".note", "user.", "magmadnn.architecture",
                            "magmadnn.optimizer", "magmadnn.position"}) {
        EXPECT_THROW(model.set_metadata(key, "x"), ValueError) << key;
    }
    try {
        model.set_metadata("magmadnn.architecture", "{}");
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("written by Model::save itself"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(model.metadata().empty());
}
