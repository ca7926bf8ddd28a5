// Inline SVG charts: scales and their ticks, then the markup of axes, data and legend.
#include "hpo/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "magmadnn/core/error.h"

namespace magmadnn::hpo::svg {

namespace {

constexpr double kCharWidth = 6.2;  // of an 11 px sans-serif character, about
constexpr double kLegendRow = 16;

std::string px(double v) { return fmt::format("{:.1f}", v); }

void check_bounds(double lo, double hi, const char* scale) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
        throw ValueError(
            fmt::format("svg {} scale: the domain [{}, {}] must be finite with low <= high; leave "
                        "non-finite values out before building a scale",
                        scale, lo, hi));
    }
}

// Significant digits that tell ticks `step` apart at magnitudes up to `largest`.
int label_digits(double largest, double step) {
    if (largest == 0 || step <= 0) return 1;
    const int whole = static_cast<int>(std::floor(std::log10(largest))) + 1;  // 100: 3
    const int d = whole - static_cast<int>(std::floor(std::log10(step)));
    // at least the whole part's digits, or %g writes 100 as 1e+02
    return std::clamp(std::max(d, whole), 1, 15);
}

// The linear scale's domain and ticks: [k0 * step, k1 * step] around [lo, hi].
std::vector<double> linear_ticks(double lo, double hi, int target, bool integer, double* step) {
    if (hi - lo <= std::abs(lo) * 1e-12) {
        double d = lo == 0 ? 1 : std::abs(lo) * 0.1;
        if (integer) d = std::max(d, 1.0);
        lo -= d;
        hi += d;
    }
    double s = nice_step(hi - lo, target);
    if (integer) s = std::max(s, 1.0);
    const double k0 = std::floor(lo / s + 1e-9), k1 = std::ceil(hi / s - 1e-9);
    std::vector<double> ticks;
    for (double k = k0; k <= k1; ++k) ticks.push_back(k == 0 ? 0.0 : k * s);
    *step = s;
    return ticks;
}

std::string marker_svg(double x, double y, const Style& s, const std::string& title) {
    const double r = s.radius;
    const std::string fill =
        fmt::format(R"(fill="{}" fill-opacity="{}")", escape(s.color), s.opacity);
    std::string open;
    std::string tag;
    switch (s.marker) {
        case Marker::Circle:
            tag = "circle";
            open = fmt::format(R"(<circle class="pt" cx="{}" cy="{}" r="{}" {})", px(x), px(y),
                               px(r), fill);
            break;
        case Marker::Square:
            tag = "rect";
            open = fmt::format(R"(<rect class="pt" x="{}" y="{}" width="{}" height="{}" {})",
                               px(x - r * 0.9), px(y - r * 0.9), px(r * 1.8), px(r * 1.8), fill);
            break;
        case Marker::Triangle:
            tag = "path";
            open = fmt::format(R"(<path class="pt" d="M{},{}L{},{}L{},{}Z" {})", px(x),
                               px(y - r * 1.15), px(x + r), px(y + r * 0.75), px(x - r),
                               px(y + r * 0.75), fill);
            break;
        case Marker::Diamond:
            tag = "path";
            open = fmt::format(R"(<path class="pt" d="M{},{}L{},{}L{},{}L{},{}Z" {})", px(x),
                               px(y - r * 1.2), px(x + r), px(y), px(x), px(y + r * 1.2), px(x - r),
                               px(y), fill);
            break;
        case Marker::Cross:
            tag = "path";
            open = fmt::format(
                R"(<path class="pt" d="M{},{}L{},{}M{},{}L{},{}" fill="none" stroke="{}" )"
                R"(stroke-width="2" stroke-opacity="{}")",
                px(x - r), px(y - r), px(x + r), px(y + r), px(x - r), px(y + r), px(x + r),
                px(y - r), escape(s.color), s.opacity);
            break;
    }
    if (title.empty()) return open + "/>";
    return fmt::format("{}><title>{}</title></{}>", open, escape(title), tag);
}

std::string line_attributes(const Style& s) {
    return fmt::format(R"(fill="none" stroke="{}" stroke-width="{}" stroke-opacity="{}"{})",
                       escape(s.color), s.width, s.opacity,
                       s.dashed ? R"( stroke-dasharray="5,3")" : "");
}

std::string truncated(const std::string& text, double width) {
    const auto fits = static_cast<std::size_t>(std::max(3.0, width / kCharWidth));
    if (text.size() <= fits) return text;
    return text.substr(0, fits - 1) + "\u2026";
}

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_number(double value, int digits) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    if (value == 0) return "0";  // and -0
    return fmt::format("{:.{}g}", value, std::clamp(digits, 1, 17));
}

double nice_step(double span, int target) {
    if (!(span > 0) || !std::isfinite(span)) return 1;
    const double raw = span / std::max(target, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double r = raw / magnitude;
    // the thresholds between 1, 2, 5 and 10 are their geometric means
    const double m = r >= std::sqrt(50.0)   ? 10
                     : r >= std::sqrt(10.0) ? 5
                     : r >= std::sqrt(2.0)  ? 2
                                            : 1;
    return m * magnitude;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
    check_bounds(lo, hi, "linear");
    double step = 0;
    return linear_ticks(lo, hi, target, false, &step);
}

Scale Scale::linear(double lo, double hi, int target, bool integer) {
    check_bounds(lo, hi, "linear");
    Scale s;
    s.kind_ = Kind::Linear;
    double step = 0;
    const std::vector<double> values = linear_ticks(lo, hi, target, integer, &step);
    s.low_ = values.front();
    s.high_ = values.back();
    const int digits = label_digits(std::max(std::abs(s.low_), std::abs(s.high_)), step);
    for (const double v : values) s.ticks_.push_back({v, format_number(v, digits)});
    return s;
}

Scale Scale::log(double lo, double hi) {
    check_bounds(lo, hi, "log");
    if (lo <= 0) {
        throw ValueError(fmt::format(
            "svg log scale: the domain [{}, {}] must be positive; use a linear scale for "
            "values at or below zero",
            lo, hi));
    }
    if (hi <= lo * (1 + 1e-12)) {
        lo /= 2;
        hi *= 2;
    }
    Scale s;
    s.kind_ = Kind::Log;
    const int e_lo = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    const int e_hi = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
    std::vector<double> values;
    if (e_hi - e_lo <= 2) {
        std::vector<double> candidates;
        for (int e = e_lo; e <= e_hi; ++e) {
            for (const double m : {1.0, 2.0, 5.0}) candidates.push_back(m * std::pow(10.0, e));
        }
        // the last candidate below lo (or lo's decade), up to the first at or above hi
        std::size_t first = 0, last = candidates.size() - 1;
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            if (candidates[i] <= lo * (1 + 1e-9)) first = i;
        }
        for (std::size_t i = candidates.size(); i-- > 0;) {
            if (candidates[i] >= hi * (1 - 1e-9)) last = i;
        }
        values.assign(candidates.begin() + static_cast<std::ptrdiff_t>(first),
                      candidates.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    } else {
        const int stride = (e_hi - e_lo + 7) / 8;  // at most 9 labels
        int e = e_lo;
        for (; e < e_hi; e += stride) values.push_back(std::pow(10.0, e));
        values.push_back(std::pow(10.0, e));
    }
    s.low_ = values.front();
    s.high_ = values.back();
    for (const double v : values) s.ticks_.push_back({v, format_number(v, 6)});
    return s;
}

Scale Scale::categorical(std::vector<std::string> categories) {
    if (categories.empty()) {
        throw ValueError("svg categorical scale: no categories; give at least one");
    }
    Scale s;
    s.kind_ = Kind::Categorical;
    s.low_ = -0.5;
    s.high_ = static_cast<double>(categories.size()) - 0.5;
    for (std::size_t i = 0; i < categories.size(); ++i) {
        s.ticks_.push_back({static_cast<double>(i), categories[i]});
    }
    s.categories_ = std::move(categories);
    return s;
}

void Scale::set_range(double from, double to) {
    from_ = from;
    to_ = to;
}

double Scale::map(double value) const {
    double t = 0;
    if (kind_ == Kind::Log) {
        t = (std::log10(value) - std::log10(low_)) / (std::log10(high_) - std::log10(low_));
    } else {
        t = (value - low_) / (high_ - low_);
    }
    return from_ + t * (to_ - from_);
}

bool Scale::contains(double value) const {
    if (!std::isfinite(value)) return false;
    if (kind_ == Kind::Log && value <= 0) return false;
    const double slack = (high_ - low_) * 1e-9;
    return value >= low_ - slack && value <= high_ + slack;
}

struct Plot::Layout {
    double left = 62, right = 14, top = 12, bottom = 42;
    std::vector<std::pair<double, double>> legend_at;  // each entry's x, y
};

Plot::Plot(std::string id, Scale x, Scale y, double width, double height)
    : id_(std::move(id)), x_(std::move(x)), y_(std::move(y)), width_(width), height_(height) {}

void Plot::set_labels(std::string x, std::string y) {
    x_label_ = std::move(x);
    y_label_ = std::move(y);
}

void Plot::set_data(std::string name, std::string value) {
    data_.emplace_back(std::move(name), std::move(value));
}

void Plot::set_message(std::string message) { message_ = std::move(message); }

void Plot::add_points(const std::vector<Mark>& points, const Style& style) {
    std::vector<Mark> inside;
    for (const Mark& m : points) {
        if (x_.contains(m.x) && y_.contains(m.y)) inside.push_back(m);
    }
    points_ += inside.size();
    items_.push_back({std::move(inside), style, false, false, {}});
}

void Plot::add_line(const std::vector<Mark>& points, const Style& style, bool steps,
                    std::string title) {
    std::vector<Mark> inside;
    for (const Mark& m : points) {
        if (x_.contains(m.x) && y_.contains(m.y)) inside.push_back(m);
    }
    items_.push_back({std::move(inside), style, true, steps, std::move(title)});
}

void Plot::add_legend(std::string label, const Style& style, bool line) {
    legend_.push_back({std::move(label), style, line});
}

Plot::Layout Plot::layout() const {
    Layout l;
    double x = l.left, row = 0;
    for (const Legend& e : legend_) {
        const double w = 24 + kCharWidth * static_cast<double>(e.label.size()) + 12;
        if (x > l.left && x + w > width_ - l.right) {
            x = l.left;
            ++row;
        }
        l.legend_at.emplace_back(x, 10 + row * kLegendRow);
        x += w;
    }
    if (!legend_.empty()) l.top = 10 + (row + 1) * kLegendRow;
    return l;
}

std::string Plot::render() const {
    const Layout l = layout();
    const double x0 = l.left, x1 = width_ - l.right, y0 = height_ - l.bottom, y1 = l.top;
    Scale xs = x_, ys = y_;
    xs.set_range(x0, x1);
    ys.set_range(y0, y1);

    std::string out =
        fmt::format(R"(<svg class="plot" data-plot="{}" data-points="{}")", escape(id_), points_);
    for (const auto& [name, value] : data_) {
        out += fmt::format(R"( data-{}="{}")", escape(name), escape(value));
    }
    out += fmt::format(
        R"( viewBox="0 0 {} {}" width="{}" height="{}" role="img" font-family="sans-serif" )"
        R"(font-size="11">)",
        width_, height_, width_, height_);
    out += "\n";
    out += fmt::format(
        R"(<rect class="area" x="{}" y="{}" width="{}" height="{}" fill="#fff" stroke="#bbb"/>)",
        px(x0), px(y1), px(x1 - x0), px(y0 - y1));
    out += "\n";

    // grid lines and tick labels
    out += R"(<g class="grid" stroke="#e8e8e8">)";
    for (const Tick& t : xs.ticks()) {
        const double p = xs.map(t.value);
        out +=
            fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}"/>)", px(p), px(y1), px(p), px(y0));
    }
    for (const Tick& t : ys.ticks()) {
        const double p = ys.map(t.value);
        out +=
            fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}"/>)", px(x0), px(p), px(x1), px(p));
    }
    out += "</g>\n";
    out += R"(<g class="axes" fill="#333">)";
    const double band = xs.kind() == Scale::Kind::Categorical
                            ? (x1 - x0) / static_cast<double>(xs.ticks().size())
                            : 1e9;
    for (const Tick& t : xs.ticks()) {
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)",
                           px(xs.map(t.value)), px(y0 + 15), escape(truncated(t.label, band)));
    }
    for (const Tick& t : ys.ticks()) {
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="end">{}</text>)", px(x0 - 6),
                           px(ys.map(t.value) + 4), escape(t.label));
    }
    if (!x_label_.empty()) {
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)",
                           px((x0 + x1) / 2), px(height_ - 8), escape(x_label_));
    }
    if (!y_label_.empty()) {
        out += fmt::format(
            R"x(<text transform="translate(14,{}) rotate(-90)" text-anchor="middle">{}</text>)x",
            px((y0 + y1) / 2), escape(y_label_));
    }
    out += "</g>\n";

    out += R"(<g class="data">)";
    for (const Item& item : items_) {
        if (!item.line || item.points.size() < 2) continue;
        std::string pts;
        for (std::size_t i = 0; i < item.points.size(); ++i) {
            const double px_ = xs.map(item.points[i].x), py = ys.map(item.points[i].y);
            if (item.steps && i > 0) {
                pts += fmt::format("{},{} ", px(px_), px(ys.map(item.points[i - 1].y)));
            }
            pts += fmt::format("{},{} ", px(px_), px(py));
        }
        pts.pop_back();
        out += fmt::format(R"(<polyline class="line" points="{}" {})", pts,
                           line_attributes(item.style));
        out += item.title.empty()
                   ? "/>"
                   : fmt::format("><title>{}</title></polyline>", escape(item.title));
    }
    for (const Item& item : items_) {
        if (item.line) continue;
        for (const Mark& m : item.points) {
            out += marker_svg(xs.map(m.x), ys.map(m.y), item.style, m.title);
        }
    }
    out += "</g>\n";

    if (!legend_.empty()) {
        out += R"(<g class="legend" fill="#333">)";
        for (std::size_t i = 0; i < legend_.size(); ++i) {
            const auto [lx, ly] = l.legend_at[i];
            const Legend& e = legend_[i];
            if (e.line) {
                out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" {}/>)", px(lx), px(ly),
                                   px(lx + 18), px(ly), line_attributes(e.style));
            } else {
                Style s = e.style;
                s.opacity = 1;
                // a legend sample is not a data point: same shape, another class
                std::string sample = marker_svg(lx + 9, ly, s, {});
                sample.replace(sample.find("class=\"pt\""), 10, "class=\"key\"");
                out += sample;
            }
            out += fmt::format(R"(<text x="{}" y="{}">{}</text>)", px(lx + 24), px(ly + 4),
                               escape(e.label));
        }
        out += "</g>\n";
    }
    if (!message_.empty()) {
        out +=
            fmt::format(R"(<text class="message" x="{}" y="{}" text-anchor="middle" fill="#777" )"
                        R"(font-size="14">{}</text>)",
                        px((x0 + x1) / 2), px((y0 + y1) / 2), escape(message_));
        out += "\n";
    }
    out += "</svg>";
    return out;
}

}  // namespace magmadnn::hpo::svg
