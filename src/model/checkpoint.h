#pragma once
// Private: where fit writes its checkpoints (FitOptions::checkpoint): one file replaced each
// time, or a directory keeping the newest few.

#include <string>

#include "magmadnn/model/model.h"

namespace magmadnn::model {

class CheckpointSink {
  public:
    // Removes the temporary files a writer killed mid-write left behind.
    CheckpointSink(std::string path, int keep);

    // The model, atomically; in a directory, then the oldest beyond `keep`.
    template <typename T>
    void write(const Model<T>& model) const;

  private:
    std::string path_;
    bool directory_;
    int keep_;
};

}  // namespace magmadnn::model
