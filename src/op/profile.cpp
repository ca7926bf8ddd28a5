#include "magmadnn/op/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <utility>

namespace magmadnn::op::profile {

namespace {
std::atomic<bool> on{false};
std::mutex mutex;
std::map<std::pair<std::string, std::string>, Entry> table_;
}  // namespace

void enable(bool enabled) { on.store(enabled, std::memory_order_relaxed); }
bool enabled() { return on.load(std::memory_order_relaxed); }

void reset() {
    std::lock_guard lock(mutex);
    table_.clear();
}

void record(const std::string& kind, const std::string& name, bool backward, double seconds) {
    std::lock_guard lock(mutex);
    Entry& e = table_[{kind, name}];
    if (e.kind.empty()) {
        e.kind = kind;
        e.name = name;
        e.order = static_cast<int>(table_.size());
    }
    if (backward) {
        e.backward_seconds += seconds;
        ++e.backward_calls;
    } else {
        e.forward_seconds += seconds;
        ++e.forward_calls;
    }
}

std::vector<Entry> entries() {
    std::vector<Entry> out;
    {
        std::lock_guard lock(mutex);
        for (const auto& [key, e] : table_) out.push_back(e);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Entry& a, const Entry& b) { return a.total() > b.total(); });
    return out;
}

namespace {
// Node names nest their inputs' names ("linear(relu(linear(reshape(...))))"); three levels
// tell the nodes of a network apart in a table.
std::string short_name(const std::string& name, int depth = 3) {
    std::string out;
    int level = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == '(') {
            if (++level == depth) {
                out += "(...";
                int open = 1;
                while (open > 0 && ++i < name.size()) {
                    open += name[i] == '(' ? 1 : name[i] == ')' ? -1 : 0;
                }
                out += ')';
                --level;
                continue;
            }
        } else if (c == ')') {
            --level;
        }
        out += c;
    }
    return out;
}
}  // namespace

std::string table() {
    const auto all = entries();
    double sum = 0;
    for (const auto& e : all) sum += e.total();
    std::string s =
        "| # | node | kind | forward (s) | backward (s) | calls | share |\n"
        "| ---: | --- | --- | ---: | ---: | ---: | ---: |\n";
    for (const auto& e : all) {
        s += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} | {} | {:.1f}% |\n", e.order,
                         short_name(e.name), e.kind, e.forward_seconds, e.backward_seconds,
                         std::max(e.forward_calls, e.backward_calls),
                         sum > 0 ? 100.0 * e.total() / sum : 0.0);
    }
    s += fmt::format("| | total | | | | | {:.4f} s |\n", sum);
    return s;
}

}  // namespace magmadnn::op::profile
