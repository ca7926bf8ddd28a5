// Optimizer configurations: factories, validation, the string-map form and LR schedules.
#include "magmadnn/optim/config.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <numbers>

#include "magmadnn/core/error.h"

namespace magmadnn::optimizer {

namespace {

constexpr const char* kind_name(Kind k) {
    switch (k) {
        case Kind::sgd:
            return "sgd";
        case Kind::adam:
            return "adam";
        case Kind::adamw:
            return "adamw";
        case Kind::rmsprop:
            return "rmsprop";
        case Kind::adagrad:
            return "adagrad";
    }
    return "?";
}

constexpr const char* schedule_name(Schedule::Kind k) {
    switch (k) {
        case Schedule::Kind::none:
            return "none";
        case Schedule::Kind::step:
            return "step";
        case Schedule::Kind::cosine:
            return "cosine";
    }
    return "?";
}

bool uses_momentum(Kind k) { return k == Kind::sgd || k == Kind::rmsprop; }
bool uses_betas(Kind k) { return k == Kind::adam || k == Kind::adamw; }
bool uses_eps(Kind k) { return k != Kind::sgd; }

void check_schedule(const std::string& who, const Schedule& s) {
    if (s.kind == Schedule::Kind::step) {
        if (s.step_size < 1) {
            throw ValueError(fmt::format("{}: step schedule step_size = {} must be >= 1 (epochs)",
                                         who, s.step_size));
        }
        if (!(s.gamma > 0) || !std::isfinite(s.gamma)) {
            throw ValueError(fmt::format("{}: step schedule gamma = {} must be a finite number > 0",
                                         who, s.gamma));
        }
    } else if (s.kind == Schedule::Kind::cosine) {
        if (s.t_max < 1) {
            throw ValueError(
                fmt::format("{}: cosine schedule t_max = {} must be >= 1 (epochs)", who, s.t_max));
        }
        if (!(s.min_lr >= 0) || !std::isfinite(s.min_lr)) {
            throw ValueError(fmt::format(
                "{}: cosine schedule min_lr = {} must be a finite number >= 0", who, s.min_lr));
        }
    }
}

std::string num(double v) { return fmt::format("{}", v); }

double parse_double(const std::string& key, const std::string& text) {
    double v = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end || text.empty()) {
        throw ValueError(fmt::format("optimizer config: '{}' = '{}' is not a number", key, text));
    }
    return v;
}

int parse_int(const std::string& key, const std::string& text) {
    int v = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end || text.empty()) {
        throw ValueError(fmt::format("optimizer config: '{}' = '{}' is not an integer", key, text));
    }
    return v;
}

bool parse_bool(const std::string& key, const std::string& text) {
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    throw ValueError(
        fmt::format("optimizer config: '{}' = '{}' is not 'true' or 'false'", key, text));
}

}  // namespace

Schedule Schedule::step(int step_size, double gamma) {
    Schedule s;
    s.kind = Kind::step;
    s.step_size = step_size;
    s.gamma = gamma;
    check_schedule("Schedule::step", s);
    return s;
}

Schedule Schedule::cosine(int t_max, double min_lr) {
    Schedule s;
    s.kind = Kind::cosine;
    s.t_max = t_max;
    s.min_lr = min_lr;
    check_schedule("Schedule::cosine", s);
    return s;
}

std::string Config::name() const { return kind_name(kind); }

void Config::validate() const {
    const std::string who = "optimizer " + name();
    if (kind_name(kind)[0] == '?') {
        throw ValueError(fmt::format("optimizer: unknown kind {}", static_cast<int>(kind)));
    }
    if (!(learning_rate > 0) || !std::isfinite(learning_rate)) {
        throw ValueError(
            fmt::format("{}: learning rate {} must be a finite number > 0", who, learning_rate));
    }
    if (!(weight_decay >= 0) || !std::isfinite(weight_decay)) {
        throw ValueError(
            fmt::format("{}: weight_decay = {} must be a finite number >= 0", who, weight_decay));
    }
    if (uses_momentum(kind) && (!(momentum >= 0) || !std::isfinite(momentum))) {
        throw ValueError(
            fmt::format("{}: momentum = {} must be a finite number >= 0", who, momentum));
    }
    if (kind == Kind::sgd && nesterov && momentum <= 0) {
        throw ValueError(fmt::format(
            "{}: nesterov momentum needs momentum > 0 (got {}); pass a momentum such as 0.9", who,
            momentum));
    }
    if (uses_betas(kind)) {
        for (const auto& [label, b] : {std::pair{"beta1", beta1}, std::pair{"beta2", beta2}}) {
            if (!(b >= 0 && b < 1)) {
                throw ValueError(fmt::format("{}: {} = {} is outside [0, 1); 0.9 / 0.999 are usual",
                                             who, label, b));
            }
        }
    }
    if (kind == Kind::rmsprop && !(alpha >= 0 && alpha <= 1)) {
        throw ValueError(
            fmt::format("{}: alpha = {} is outside [0, 1]; 0.99 is usual", who, alpha));
    }
    if (uses_eps(kind) && (!(eps > 0) || !std::isfinite(eps))) {
        throw ValueError(fmt::format("{}: eps = {} must be a finite number > 0", who, eps));
    }
    if (!(clip_norm >= 0) || !std::isfinite(clip_norm)) {
        throw ValueError(
            fmt::format("{}: clip_norm = {} must be a finite number >= 0 (0 turns clipping off)",
                        who, clip_norm));
    }
    check_schedule(who, schedule);
}

Config Config::with_clip_norm(double max_norm) const {
    Config c = *this;
    c.clip_norm = max_norm;
    c.validate();
    return c;
}

Config Config::with_schedule(const Schedule& s) const {
    Config c = *this;
    c.schedule = s;
    c.validate();
    return c;
}

std::map<std::string, std::string> Config::to_map() const {
    std::map<std::string, std::string> m;
    m["optimizer"] = name();
    m["lr"] = num(learning_rate);
    m["weight_decay"] = num(weight_decay);
    if (uses_momentum(kind)) m["momentum"] = num(momentum);
    if (kind == Kind::sgd) m["nesterov"] = nesterov ? "true" : "false";
    if (uses_betas(kind)) {
        m["beta1"] = num(beta1);
        m["beta2"] = num(beta2);
    }
    if (kind == Kind::rmsprop) m["alpha"] = num(alpha);
    if (uses_eps(kind)) m["eps"] = num(eps);
    m["clip_norm"] = num(clip_norm);
    m["schedule"] = schedule_name(schedule.kind);
    if (schedule.kind == Schedule::Kind::step) {
        m["schedule.step_size"] = std::to_string(schedule.step_size);
        m["schedule.gamma"] = num(schedule.gamma);
    } else if (schedule.kind == Schedule::Kind::cosine) {
        m["schedule.t_max"] = std::to_string(schedule.t_max);
        m["schedule.min_lr"] = num(schedule.min_lr);
    }
    return m;
}

Config Config::from_map(const std::map<std::string, std::string>& map) {
    const auto kind_it = map.find("optimizer");
    if (kind_it == map.end()) {
        throw ValueError(
            "optimizer config: no 'optimizer' key (one of sgd, adam, adamw, rmsprop, adagrad)");
    }
    const std::string& k = kind_it->second;
    Config c;
    if (k == "sgd") {
        c = sgd(0.01);
    } else if (k == "adam") {
        c = adam();
    } else if (k == "adamw") {
        c = adamw();
    } else if (k == "rmsprop") {
        c = rmsprop();
    } else if (k == "adagrad") {
        c = adagrad();
    } else {
        throw ValueError(fmt::format(
            "optimizer config: unknown optimizer '{}' (sgd, adam, adamw, rmsprop or adagrad)", k));
    }
    for (const auto& [key, value] : map) {
        if (key == "optimizer") continue;
        if (key == "lr")
            c.learning_rate = parse_double(key, value);
        else if (key == "momentum")
            c.momentum = parse_double(key, value);
        else if (key == "nesterov")
            c.nesterov = parse_bool(key, value);
        else if (key == "weight_decay")
            c.weight_decay = parse_double(key, value);
        else if (key == "beta1")
            c.beta1 = parse_double(key, value);
        else if (key == "beta2")
            c.beta2 = parse_double(key, value);
        else if (key == "eps")
            c.eps = parse_double(key, value);
        else if (key == "alpha")
            c.alpha = parse_double(key, value);
        else if (key == "clip_norm")
            c.clip_norm = parse_double(key, value);
        else if (key == "schedule.step_size")
            c.schedule.step_size = parse_int(key, value);
        else if (key == "schedule.gamma")
            c.schedule.gamma = parse_double(key, value);
        else if (key == "schedule.t_max")
            c.schedule.t_max = parse_int(key, value);
        else if (key == "schedule.min_lr")
            c.schedule.min_lr = parse_double(key, value);
        else if (key == "schedule") {
            if (value == "none")
                c.schedule.kind = Schedule::Kind::none;
            else if (value == "step")
                c.schedule.kind = Schedule::Kind::step;
            else if (value == "cosine")
                c.schedule.kind = Schedule::Kind::cosine;
            else {
                throw ValueError(fmt::format(
                    "optimizer config: unknown schedule '{}' (none, step or cosine)", value));
            }
        } else {
            throw ValueError(fmt::format(
                "optimizer config: unknown key '{}' (known: optimizer, lr, momentum, nesterov, "
                "weight_decay, beta1, beta2, eps, alpha, clip_norm, schedule, "
                "schedule.step_size, schedule.gamma, schedule.t_max, schedule.min_lr)",
                key));
        }
    }
    c.validate();
    return c;
}

Config sgd(double lr, double momentum, bool nesterov, double weight_decay) {
    Config c;
    c.kind = Kind::sgd;
    c.learning_rate = lr;
    c.momentum = momentum;
    c.nesterov = nesterov;
    c.weight_decay = weight_decay;
    c.validate();
    return c;
}

namespace {
// Adam and AdamW take the same settings (AdamW decouples the weight decay).
Config adam_family(Kind kind, double lr, double beta1, double beta2, double eps,
                   double weight_decay) {
    Config c;
    c.kind = kind;
    c.learning_rate = lr;
    c.beta1 = beta1;
    c.beta2 = beta2;
    c.eps = eps;
    c.weight_decay = weight_decay;
    c.validate();
    return c;
}
}  // namespace

Config adam(double lr, double beta1, double beta2, double eps, double weight_decay) {
    return adam_family(Kind::adam, lr, beta1, beta2, eps, weight_decay);
}

Config adamw(double lr, double beta1, double beta2, double eps, double weight_decay) {
    return adam_family(Kind::adamw, lr, beta1, beta2, eps, weight_decay);
}

Config rmsprop(double lr, double alpha, double eps, double momentum, double weight_decay) {
    Config c;
    c.kind = Kind::rmsprop;
    c.learning_rate = lr;
    c.alpha = alpha;
    c.eps = eps;
    c.momentum = momentum;
    c.weight_decay = weight_decay;
    c.validate();
    return c;
}

Config adagrad(double lr, double eps, double weight_decay) {
    Config c;
    c.kind = Kind::adagrad;
    c.learning_rate = lr;
    c.eps = eps;
    c.weight_decay = weight_decay;
    c.validate();
    return c;
}

double scheduled_lr(const Config& cfg, int epoch) {
    if (epoch < 0) {
        throw ValueError(
            fmt::format("scheduled_lr: epoch {} must be >= 0 (epochs count from 0)", epoch));
    }
    const Schedule& s = cfg.schedule;
    check_schedule("scheduled_lr", s);
    switch (s.kind) {
        case Schedule::Kind::none:
            return cfg.learning_rate;
        case Schedule::Kind::step:  // torch StepLR: base_lr * gamma ** (epoch // step_size)
            return cfg.learning_rate * std::pow(s.gamma, epoch / s.step_size);
        case Schedule::Kind::cosine:  // torch CosineAnnealingLR, closed form
            return s.min_lr + (cfg.learning_rate - s.min_lr) *
                                  (1 + std::cos(std::numbers::pi * epoch / s.t_max)) / 2;
    }
    return cfg.learning_rate;
}

}  // namespace magmadnn::optimizer
