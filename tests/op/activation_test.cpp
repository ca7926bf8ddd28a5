// One Activation enum for layers, the fused activation of op::linear and saved architectures:
// every name round-trips, unknown names and unfusable activations are errors naming the fix,
// and the seed's layer constants are the same values.
#include <gtest/gtest.h>

#include <string>

#include "magmadnn.h"

using namespace magmadnn;

TEST(Activation, EveryNameRoundTrips) {
    int count = 0;
    for (const char* name :
         {"linear", "relu", "leaky_relu", "gelu", "tanh", "sigmoid", "softmax", "log_softmax"}) {
        EXPECT_EQ(to_string(activation_from_string(name)), name);
        ++count;
    }
    EXPECT_EQ(count, 8);
}

TEST(Activation, UnknownNameIsAValueErrorListingTheNames) {
    try {
        activation_from_string("swish");
        FAIL() << "no error";
    } catch (const ValueError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("'swish'"), std::string::npos) << what;
        EXPECT_NE(what.find("leaky_relu"), std::string::npos) << what;
    }
}

TEST(Activation, SeedLayerConstantsAreTheEnum) {
    EXPECT_EQ(layer::RELU, Activation::relu);
    EXPECT_EQ(layer::TANH, Activation::tanh);
    EXPECT_EQ(layer::SIGMOID, Activation::sigmoid);
    EXPECT_EQ(layer::LEAKY_RELU, Activation::leaky_relu);
    EXPECT_EQ(layer::GELU, Activation::gelu);
    EXPECT_EQ(layer::SOFTMAX, Activation::softmax);
    EXPECT_EQ(layer::LOG_SOFTMAX, Activation::log_softmax);
    EXPECT_EQ(layer::LINEAR, Activation::linear);
    const layer::activation_t a = layer::RELU;
    EXPECT_EQ(layer::to_string(a), "relu");
}

TEST(Activation, LinearFusesOnlyWhatItCan) {
    auto x = op::var<float>("x", {4, 3});
    auto w = op::var<float>("w", {3, 2});
    for (Activation a :
         {Activation::linear, Activation::relu, Activation::tanh, Activation::sigmoid}) {
        EXPECT_NO_THROW(op::linear<float>(x, w, nullptr, a)) << to_string(a);
    }
    for (Activation a :
         {Activation::gelu, Activation::leaky_relu, Activation::softmax, Activation::log_softmax}) {
        try {
            op::linear<float>(x, w, nullptr, a);
            FAIL() << to_string(a) << ": no error";
        } catch (const ValueError& e) {
            EXPECT_NE(std::string(e.what()).find("op::" + to_string(a)), std::string::npos)
                << e.what();
        }
    }
}
