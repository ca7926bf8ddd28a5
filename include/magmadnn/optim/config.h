#pragma once
// What an optimizer is, as a value: its rule, hyperparameters, gradient clipping and learning-rate
// schedule. Built by the factories below without naming the element type, as in the seed:
//
//     model::Model<float> model(layers, optimizer::sgd(0.05, 0.9), batch_size);
//     auto cfg = optimizer::adamw(1e-3).with_clip_norm(1.0).with_schedule(Schedule::cosine(50));
//
// The rules follow torch.optim exactly (see docs/OPTIMIZERS.md for each formula). A Config
// converts to and from a flat string map so a model can store it as JSON metadata.

#include <map>
#include <string>

namespace magmadnn::optimizer {

enum class Kind { sgd, adam, adamw, rmsprop, adagrad };

// A learning-rate schedule over epochs (0-based), as torch's StepLR and CosineAnnealingLR in
// closed form: see scheduled_lr().
struct Schedule {
    enum class Kind { none, step, cosine };
    Kind kind = Kind::none;
    int step_size = 1;    // step: epochs between decays
    double gamma = 0.1;   // step: factor per decay
    int t_max = 1;        // cosine: epochs of one half period
    double min_lr = 0.0;  // cosine: the learning rate reached at epoch t_max

    static Schedule none() { return {}; }
    // lr * gamma^floor(epoch / step_size)
    static Schedule step(int step_size, double gamma = 0.1);
    // min_lr + (lr - min_lr) * (1 + cos(pi * epoch / t_max)) / 2
    static Schedule cosine(int t_max, double min_lr = 0.0);

    bool operator==(const Schedule&) const = default;
};

struct Config {
    Kind kind = Kind::sgd;
    double learning_rate = 0.01;
    double momentum = 0.0;      // sgd, rmsprop
    bool nesterov = false;      // sgd
    double weight_decay = 0.0;  // L2 added to the gradient; adamw: decoupled decay
    double beta1 = 0.9;         // adam, adamw
    double beta2 = 0.999;       // adam, adamw
    double eps = 1e-8;          // adam, adamw, rmsprop, adagrad
    double alpha = 0.99;        // rmsprop: decay of the squared-gradient average (rho)
    double clip_norm = 0.0;     // > 0: clip the gradients' global 2-norm to this before a step
    Schedule schedule;

    // "sgd", "adam", "adamw", "rmsprop" or "adagrad".
    std::string name() const;

    // Throws ValueError naming the optimizer and the bad value (lr <= 0, negative momentum or
    // weight decay, a beta outside [0, 1), eps <= 0, nesterov without momentum, ...).
    void validate() const;

    // Copies with clipping or a schedule added (validated).
    Config with_clip_norm(double max_norm) const;
    Config with_schedule(const Schedule& s) const;

    // Flat map: "optimizer", "lr", the keys the rule uses ("momentum", "nesterov",
    // "weight_decay", "beta1", "beta2", "eps", "alpha"), "clip_norm", "schedule" and, with a
    // schedule, "schedule.step_size" / "schedule.gamma" or "schedule.t_max" /
    // "schedule.min_lr". Numbers are written in shortest round-trip form.
    std::map<std::string, std::string> to_map() const;
    // The inverse: keys not given keep the defaults of that optimizer's factory. Throws
    // ValueError for an unknown key, an unparsable value or an invalid configuration.
    static Config from_map(const std::map<std::string, std::string>& map);

    bool operator==(const Config&) const = default;
};

// The factories (validated; bad values throw ValueError).
// torch.optim.SGD with dampening 0.
Config sgd(double lr, double momentum = 0.0, bool nesterov = false, double weight_decay = 0.0);
// torch.optim.Adam: weight_decay is L2 added to the gradient.
Config adam(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0.0);
// torch.optim.AdamW: weight decay decoupled from the gradient (w -= lr * wd * w).
Config adamw(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
             double weight_decay = 0.01);
// torch.optim.RMSprop (not centered).
Config rmsprop(double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double momentum = 0.0,
               double weight_decay = 0.0);
// torch.optim.Adagrad with lr_decay 0 and initial accumulator 0.
Config adagrad(double lr = 1e-2, double eps = 1e-10, double weight_decay = 0.0);

// The learning rate of `epoch` (0-based) under cfg.schedule; cfg.learning_rate without one.
// Throws ValueError for a negative epoch.
double scheduled_lr(const Config& cfg, int epoch);

}  // namespace magmadnn::optimizer
