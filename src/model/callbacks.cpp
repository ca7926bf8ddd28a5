#include <fmt/format.h>

#include <cmath>

#include "magmadnn/core/error.h"
#include "magmadnn/dist/communicator.h"
#include "magmadnn/model/model.h"

namespace magmadnn::model {

namespace {
double monitored(const std::string& monitor, const EpochStats& s) {
    if (monitor == "loss") return s.loss;
    if (monitor == "val_loss") return s.val_loss;
    if (monitor == "accuracy") return s.accuracy;
    if (monitor == "val_accuracy") return s.val_accuracy;
    throw ValueError(
        fmt::format("callback: unknown monitor '{}'; expected loss, val_loss, "
                    "accuracy or val_accuracy",
                    monitor));
}
bool higher_is_better(const std::string& monitor) {
    return monitor.find("accuracy") != std::string::npos;
}

// True when `v` beats `best` by at least min_delta (any finite v beats NaN).
bool improved(const std::string& monitor, double v, double best, double min_delta) {
    if (std::isnan(v)) {
        throw ValueError(
            fmt::format("callback: '{}' is not available (no validation split?)", monitor));
    }
    if (std::isnan(best)) return true;
    return higher_is_better(monitor) ? v > best + min_delta : v < best - min_delta;
}
}  // namespace

template <typename T>
EarlyStopping<T>::EarlyStopping(std::string monitor, int patience, double min_delta)
    : monitor_(std::move(monitor)), patience_(patience), min_delta_(min_delta) {
    if (patience < 0) throw ValueError(fmt::format("EarlyStopping: patience {} < 0", patience));
    monitored(monitor_, EpochStats{});  // validates the name
}

template <typename T>
void EarlyStopping<T>::on_epoch_end(Model<T>&, const EpochStats& stats, bool& stop) {
    const double v = monitored(monitor_, stats);
    if (improved(monitor_, v, best_, min_delta_)) {
        best_ = v;
        waited_ = 0;
    } else if (++waited_ > patience_) {
        stop = true;
    }
}

template <typename T>
ModelCheckpoint<T>::ModelCheckpoint(std::string path, std::string monitor, bool save_best_only)
    : path_(std::move(path)), monitor_(std::move(monitor)), best_only_(save_best_only) {
    monitored(monitor_, EpochStats{});
}

template <typename T>
void ModelCheckpoint<T>::on_epoch_end(Model<T>& model, const EpochStats& stats, bool&) {
    if (best_only_) {
        const double v = monitored(monitor_, stats);
        if (!improved(monitor_, v, best_, 0.0)) return;
        best_ = v;
    }
    // data-parallel, the ranks hold the same weights: one writer
    if (dist::Communicator::world().is_root()) model.save(path_);
}

template class EarlyStopping<float>;
template class EarlyStopping<double>;
template class ModelCheckpoint<float>;
template class ModelCheckpoint<double>;

}  // namespace magmadnn::model
