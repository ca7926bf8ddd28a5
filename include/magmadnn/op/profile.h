#pragma once
// Where a training step spends its time: when enabled, every node's forward and backward pass
// (and the Model's other work: waiting for batches, optimizer steps) is timed and summed per
// node. Off by default; when off, each node costs one branch.
//
//     op::profile::enable();
//     model.fit(x, y, 2);
//     std::fputs(op::profile::table().c_str(), stderr);   // the slowest first
//
// `magmadnn train --profile` prints the same table. Timings are wall-clock seconds on the
// calling thread: a node's time includes its parallel regions; nodes run one after another.

#include <string>
#include <vector>

namespace magmadnn::op::profile {

void enable(bool on = true);
bool enabled();
void reset();

struct Entry {
    std::string kind;  // e.g. "conv2d", "linear", "optimizer"
    std::string name;  // the node's name
    int order = 0;     // 1 for the first entry recorded, 2 for the next, ...
    double forward_seconds = 0;
    double backward_seconds = 0;
    long long forward_calls = 0;
    long long backward_calls = 0;
    double total() const { return forward_seconds + backward_seconds; }
};

// Adds `seconds` to the entry (kind, name), forward or backward.
void record(const std::string& kind, const std::string& name, bool backward, double seconds);

// All entries, the largest total first.
std::vector<Entry> entries();

// A Markdown table of entries() with each one's share of the summed time; `#` is the order in
// which the entries were first recorded (a forward pass's node order), names are cut to three
// levels of nesting.
std::string table();

}  // namespace magmadnn::op::profile
