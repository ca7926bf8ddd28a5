#pragma once
// Private: training progress, as a bar on a terminal or one JSON line per epoch.

#include <chrono>
#include <string>

#include "magmadnn/model/model.h"

namespace magmadnn::model {

class Progress {
  public:
    Progress(Verbosity verbosity, int epochs, index_t batches_per_epoch, index_t batch_size);
    void batch_done(int epoch, index_t batch, double mean_loss, double accuracy);
    void epoch_done(const EpochStats& stats);
    // Training stopped inside an epoch: ends the bar's line.
    void interrupted();

  private:
    bool bar_ = false, json_ = false;
    int epochs_;
    index_t batches_, batch_size_;
    std::chrono::steady_clock::time_point epoch_start_, last_draw_;
};

std::string epoch_json(const EpochStats& stats);

}  // namespace magmadnn::model
