#pragma once
// Small charts as inline SVG for the study report: linear, log and categorical scales with
// "nice" ticks, axes, point markers, lines and a legend. The output needs no script, font or
// network; each chart is <svg class="plot" data-plot="ID" data-points="N"> so that tests and
// readers can find it and count what it draws (N: the point markers).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace magmadnn::hpo::svg {

// Text for HTML or SVG content and attribute values: & < > " ' as entities.
std::string escape(std::string_view text);
// A number for a label or a table: up to `digits` significant digits, no trailing zeros,
// "NaN", "inf" and "-inf" for the others.
std::string format_number(double value, int digits = 6);

// A "nice" step for about `target` intervals over `span`: 1, 2 or 5 x 10^k.
double nice_step(double span, int target);
// Multiples of nice_step(hi - lo, target) from the largest one <= lo to the smallest >= hi.
// A point range (lo == hi) is widened first. ValueError for a non-finite bound or lo > hi.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

struct Tick {
    double value = 0;  // in the domain (the category's index for a categorical scale)
    std::string label{};
};

// Maps a domain onto pixels. The domain of a numeric scale is widened to its outer ticks, so
// every value it was built from lands inside the axis.
class Scale {
  public:
    enum class Kind { Linear, Log, Categorical };

    // `integer`: steps of at least 1 (epochs, trial ids).
    static Scale linear(double lo, double hi, int target = 5, bool integer = false);
    // Ticks at 1, 2 and 5 x 10^k over up to two decades, at powers of ten beyond.
    // ValueError for lo <= 0.
    static Scale log(double lo, double hi);
    // One band per category, in the order given; a value is the category's index, and a
    // fraction in (-0.5, 0.5) around it stays inside its band. ValueError for none.
    static Scale categorical(std::vector<std::string> categories);

    Kind kind() const { return kind_; }
    double low() const { return low_; }  // the widened domain (categorical: -0.5, n - 0.5)
    double high() const { return high_; }
    const std::vector<Tick>& ticks() const { return ticks_; }
    const std::vector<std::string>& categories() const { return categories_; }

    // The pixel range: the low end of the domain maps to `from`, the high end to `to`.
    void set_range(double from, double to);
    double map(double value) const;
    bool contains(double value) const;  // inside the domain (log: and positive)

  private:
    Scale() = default;

    Kind kind_ = Kind::Linear;
    double low_ = 0, high_ = 1;
    std::vector<Tick> ticks_{};
    std::vector<std::string> categories_{};
    double from_ = 0, to_ = 1;
};

enum class Marker { Circle, Square, Triangle, Diamond, Cross };

struct Style {
    std::string color = "#1f77b4";
    Marker marker = Marker::Circle;
    double radius = 3.5;  // markers
    double width = 1.5;   // lines
    double opacity = 1;
    bool dashed = false;
};

// A point in domain units; `title` becomes its tooltip.
struct Mark {
    double x = 0, y = 0;
    std::string title{};
};

class Plot {
  public:
    // `id` names the chart in data-plot; width and height in pixels.
    Plot(std::string id, Scale x, Scale y, double width = 520, double height = 300);

    void set_labels(std::string x, std::string y);
    // An attribute data-<name>="value" on the <svg> (name: lower case letters and dashes).
    void set_data(std::string name, std::string value);
    // Shown in the middle of the plot area (an empty chart: "no results yet").
    void set_message(std::string message);

    // Markers, counted in data-points. Points outside the scales are left out (not counted).
    void add_points(const std::vector<Mark>& points, const Style& style);
    // A polyline through the points in the order given; `steps`: horizontal, then vertical.
    void add_line(const std::vector<Mark>& points, const Style& style, bool steps = false,
                  std::string title = {});
    // A legend entry: the style's marker, or a line sample.
    void add_legend(std::string label, const Style& style, bool line = false);

    std::size_t point_count() const { return points_; }
    std::string render() const;

  private:
    struct Legend {
        std::string label;
        Style style;
        bool line;
    };
    struct Layout;
    Layout layout() const;

    std::string id_;
    Scale x_, y_;
    double width_, height_;
    std::string x_label_{}, y_label_{}, message_{};
    std::vector<std::pair<std::string, std::string>> data_{};
    std::vector<Legend> legend_{};
    struct Item {
        std::vector<Mark> points;
        Style style;
        bool line;
        bool steps;
        std::string title;
    };
    std::vector<Item> items_{};  // drawn in this order, lines under markers
    std::size_t points_ = 0;
};

}  // namespace magmadnn::hpo::svg
