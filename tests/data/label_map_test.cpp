// LabelMap: arbitrary integer labels to classes 0..C-1 and back, and its errors.
#include "magmadnn/data/label_map.h"

#include <gtest/gtest.h>

#include "magmadnn/core/error.h"

using namespace magmadnn;

namespace {

std::vector<std::int32_t> mapped(const data::LabelMap& map, const std::vector<std::int32_t>& v) {
    auto t = Tensor<std::int32_t>::from_vector(v, {static_cast<index_t>(v.size())});
    map.apply(t);
    return t.to_vector();
}

}  // namespace

TEST(LabelMap, MinusOneAndOneBecomeZeroAndOne) {
    const std::vector<std::int32_t> labels{1, -1, -1, 1, 1};
    const auto map = data::LabelMap::from_labels(labels);
    EXPECT_FALSE(map.is_identity());
    EXPECT_EQ(map.num_classes(), 2);
    EXPECT_EQ(map.values(), (std::vector<std::int32_t>{-1, 1}));
    EXPECT_EQ(mapped(map, labels), (std::vector<std::int32_t>{1, 0, 0, 1, 1}));
    EXPECT_EQ(map.value(0), -1);
    EXPECT_EQ(map.value(1), 1);
    EXPECT_EQ(map.to_string(), "{-1, 1}");
}

TEST(LabelMap, SparseLabelsMapInSortedOrder) {
    const std::vector<std::int32_t> labels{10, 3, 7, 7, 10, 3};
    const auto map = data::LabelMap::from_labels(labels);
    EXPECT_EQ(map.values(), (std::vector<std::int32_t>{3, 7, 10}));
    EXPECT_EQ(mapped(map, labels), (std::vector<std::int32_t>{2, 0, 1, 1, 2, 0}));
    for (std::int32_t k = 0; k < 3; ++k) EXPECT_EQ(map.class_of(map.value(k)), k);
    EXPECT_FALSE(map.class_of(5).has_value());
    EXPECT_THROW(map.value(3), ValueError);
    EXPECT_THROW(map.value(-1), ValueError);
    // {0, 2}: not 0..C-1 either, so mapped too
    EXPECT_EQ(data::LabelMap::from_labels(std::vector<std::int32_t>{2, 0}).values(),
              (std::vector<std::int32_t>{0, 2}));
    EXPECT_FALSE(data::LabelMap::from_labels(std::vector<std::int32_t>{2, 0}).is_identity());
}

TEST(LabelMap, ClassIndicesStayAsTheyAre) {
    const std::vector<std::int32_t> labels{2, 0, 1, 1, 0};
    const auto map = data::LabelMap::from_labels(labels);
    EXPECT_TRUE(map.is_identity());
    EXPECT_EQ(map.num_classes(), 3);
    EXPECT_EQ(mapped(map, labels), labels);
    EXPECT_TRUE(data::LabelMap::identity(4).is_identity());
    EXPECT_EQ(data::LabelMap::identity(4).num_classes(), 4);
    EXPECT_THROW(data::LabelMap::identity(0), ValueError);
}

TEST(LabelMap, UnknownLabelNamesTheFileLineValueAndKnownLabels) {
    const data::LabelMap map({-1, 1});
    auto t = Tensor<std::int32_t>::from_vector({1, -1, 0, 1}, {4});
    const std::vector<index_t> lines{2, 3, 5, 6};
    try {
        map.apply(t, "'data.csv'", lines);
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("'data.csv' line 5: label 0 is not one of the known labels {-1, 1}"),
                  std::string::npos)
            << msg;
    }
    EXPECT_EQ(t.to_vector(), (std::vector<std::int32_t>{1, -1, 0, 1}));  // left as it was
    try {
        map.apply(t);
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("row 2: label 0"), std::string::npos) << e.what();
    }
}

TEST(LabelMap, JsonRoundTripAndBadJson) {
    const data::LabelMap map({-5, 0, 3, 2147483647});
    EXPECT_EQ(map.to_json(), "[-5,0,3,2147483647]");
    EXPECT_EQ(data::LabelMap::from_json(map.to_json(), "m").values(), map.values());
    const std::string deep = std::string(100, '[') + std::string(100, ']');
    for (const std::string bad : {"", "[", "{}", "[]", "[1, 1]", "[2, 1]", "[1.5]", "[\"a\"]",
                                  "[2147483648]", deep.c_str()}) {
        EXPECT_THROW(data::LabelMap::from_json(bad, "m"), FormatError) << bad;
    }
    EXPECT_THROW(data::LabelMap({3, 1}), ValueError);
    EXPECT_THROW(data::LabelMap::from_labels(std::vector<std::int32_t>{}), ValueError);
}

TEST(LabelMap, LongListsAreShortenedInMessages) {
    const auto map = data::LabelMap::identity(100);
    EXPECT_EQ(map.to_string(), "{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ..., 99} (100 labels)");
}
