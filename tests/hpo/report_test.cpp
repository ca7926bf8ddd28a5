// The report page and its SVG charts: nice ticks, the three kinds of scale, escaping, and pages
// for synthetic studies (empty, one trial, equal values, infinities, a failure without a value,
// and a full ASHA run) whose charts must draw exactly the points the storage holds.
#include "magmadnn/hpo/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hpo/svg_plot.h"
#include "magmadnn/core/error.h"
#include "report_study.h"

using namespace magmadnn;
namespace fs = std::filesystem;
using hpo::svg::Scale;

namespace {

void expect_ticks(const std::vector<double>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
}

std::vector<double> tick_values(const Scale& s) {
    std::vector<double> out;
    for (const auto& t : s.ticks()) out.push_back(t.value);
    return out;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The <svg> element whose data-plot is `id`.
std::string chart(const std::string& html, const std::string& id) {
    const auto at = html.find("data-plot=\"" + id + "\"");
    if (at == std::string::npos) return {};
    const auto begin = html.rfind("<svg", at);
    return html.substr(begin, html.find("</svg>", at) + 6 - begin);
}

// Its data-points, checked against the markers it holds.
long points(const std::string& html, const std::string& id) {
    const std::string svg = chart(html, id);
    EXPECT_FALSE(svg.empty()) << "no chart " << id;
    const auto at = svg.find("data-points=\"");
    if (at == std::string::npos) return -1;
    const long n = std::stol(svg.substr(at + 13));
    EXPECT_EQ(count(svg, "class=\"pt\""), static_cast<std::size_t>(n)) << id;
    return n;
}

std::string attribute(const std::string& svg, const std::string& name) {
    const auto at = svg.find(name + "=\"");
    if (at == std::string::npos) return {};
    const auto begin = at + name.size() + 2;
    return svg.substr(begin, svg.find('"', begin) - begin);
}

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "magmadnn-report-XXXXXX").string();
        path_ = mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
        if (path_.empty()) throw IOError("report_test: mkdtemp failed");
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

const char* kSmallStudy = R"({
  "name": "small",
  "trial": {"command": ["run", "{lr}", "{opt}", "{epochs}"]},
  "space": {"lr": {"type": "loguniform", "low": 0.001, "high": 0.1},
            "opt": {"type": "choice", "values": ["sgd", "adam"]}},
  "objective": {"metric": "val_loss", "direction": "minimize"},
  "scheduler": {"kind": "random", "max_epochs": 3, "trials": 4}})";

hpo::Storage small_storage(const std::string& path) {
    const auto config = hpo::StudyConfig::from_json(kSmallStudy, "small");
    return hpo::Storage::open(path, config.identity_json(), false);
}

hpo::Job job(std::int64_t trial, double lr, const char* opt, int resource = 3) {
    return {
        .trial = trial, .resource = resource, .params = {{"lr", lr}, {"opt", std::string(opt)}}};
}

// A trial trained to `resource` epochs, reporting `value` at every epoch.
void complete(hpo::Storage& s, const hpo::Job& j, double value, double t0) {
    s.job_started(j, {}, t0);
    for (int e = 1; e <= j.resource; ++e) s.epoch_reported(j.trial, e, value, t0 + e);
    s.job_reported(j, value, true, {}, t0 + j.resource);
}

void expect_offline(const std::string& html) {
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("@import"), std::string::npos);
}

}  // namespace

TEST(HpoSvgTicks, NiceStepsOnKnownRanges) {
    EXPECT_DOUBLE_EQ(hpo::svg::nice_step(1, 5), 0.2);
    EXPECT_DOUBLE_EQ(hpo::svg::nice_step(94, 5), 20);
    EXPECT_DOUBLE_EQ(hpo::svg::nice_step(0.03, 5), 0.005);
    EXPECT_DOUBLE_EQ(hpo::svg::nice_step(7000, 5), 1000);
    expect_ticks(hpo::svg::nice_ticks(0, 1), {0, 0.2, 0.4, 0.6, 0.8, 1});
    expect_ticks(hpo::svg::nice_ticks(0.13, 0.87), {0, 0.2, 0.4, 0.6, 0.8, 1});
    expect_ticks(hpo::svg::nice_ticks(3, 97), {0, 20, 40, 60, 80, 100});
    expect_ticks(hpo::svg::nice_ticks(1000, 10000), {0, 2000, 4000, 6000, 8000, 10000});
    expect_ticks(hpo::svg::nice_ticks(-0.4, 0.4), {-0.4, -0.2, 0, 0.2, 0.4});
    // a point range is widened around the value
    expect_ticks(hpo::svg::nice_ticks(0.85, 0.85), {0.75, 0.8, 0.85, 0.9, 0.95});
    expect_ticks(hpo::svg::nice_ticks(0, 0), {-1, -0.5, 0, 0.5, 1});
    EXPECT_THROW(hpo::svg::nice_ticks(0, NAN), ValueError);
    EXPECT_THROW(hpo::svg::nice_ticks(1, 0), ValueError);
    EXPECT_THROW(hpo::svg::nice_ticks(0, HUGE_VAL), ValueError);
}

TEST(HpoSvgTicks, LabelsAreShort) {
    const Scale s = Scale::linear(0.1, 0.3);
    for (const auto& t : s.ticks()) EXPECT_LE(t.label.size(), 4u) << t.label;
    EXPECT_EQ(s.ticks()[1].label, "0.15");
    EXPECT_EQ(hpo::svg::format_number(0.1 + 0.2), "0.3");
    EXPECT_EQ(hpo::svg::format_number(-0.0), "0");
    EXPECT_EQ(hpo::svg::format_number(NAN), "NaN");
    EXPECT_EQ(hpo::svg::format_number(-HUGE_VAL), "-inf");
    // whole numbers keep their digits: 100, never 1e+02
    for (const auto& [lo, hi] : {std::pair{0.0, 95.0}, {0.0, 1e6}, {-250.0, 250.0}}) {
        const Scale scale = Scale::linear(lo, hi);
        for (const auto& t : scale.ticks()) {
            EXPECT_EQ(t.label.find('e'), std::string::npos) << t.label;
            EXPECT_EQ(std::stod(t.label), t.value) << t.label;
        }
    }
}

TEST(HpoSvgScale, LinearMapsOntoItsRange) {
    Scale s = Scale::linear(0, 10);
    s.set_range(100, 300);
    EXPECT_DOUBLE_EQ(s.map(0), 100);
    EXPECT_DOUBLE_EQ(s.map(5), 200);
    EXPECT_DOUBLE_EQ(s.map(10), 300);
    s.set_range(300, 100);  // a y axis: up is smaller
    EXPECT_DOUBLE_EQ(s.map(2.5), 250);
    EXPECT_TRUE(s.contains(10));
    EXPECT_FALSE(s.contains(10.5));
    EXPECT_FALSE(s.contains(NAN));
    // integer steps for epochs; one epoch is widened to 0..2
    expect_ticks(tick_values(Scale::linear(1, 3, 5, true)), {1, 2, 3});
    expect_ticks(tick_values(Scale::linear(1, 1, 5, true)), {0, 1, 2});
    // the domain ends at the outer ticks
    const Scale wide = Scale::linear(0.13, 0.87);
    EXPECT_DOUBLE_EQ(wide.low(), 0);
    EXPECT_DOUBLE_EQ(wide.high(), 1);
}

TEST(HpoSvgScale, LogTicksAndMapping) {
    Scale s = Scale::log(1e-4, 1);
    expect_ticks(tick_values(s), {1e-4, 1e-3, 1e-2, 1e-1, 1});
    s.set_range(0, 400);
    EXPECT_NEAR(s.map(1e-2), 200, 1e-9);
    EXPECT_NEAR(s.map(1e-3), 100, 1e-9);
    EXPECT_FALSE(s.contains(0));
    EXPECT_FALSE(s.contains(-1));
    // within two decades: 1, 2 and 5 x 10^k, from the last one below to the first above
    expect_ticks(tick_values(Scale::log(0.003, 0.08)), {0.002, 0.005, 0.01, 0.02, 0.05, 0.1});
    expect_ticks(tick_values(Scale::log(16, 512)), {10, 20, 50, 100, 200, 500, 1000});
    // many decades: every other power of ten
    expect_ticks(tick_values(Scale::log(1e-8, 1e4)), {1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2, 1e4});
    // one value
    expect_ticks(tick_values(Scale::log(0.5, 0.5)), {0.2, 0.5, 1});
    EXPECT_EQ(Scale::log(1e-4, 1).ticks()[0].label, "0.0001");
    EXPECT_THROW(Scale::log(0, 1), ValueError);
    EXPECT_THROW(Scale::log(-1, 1), ValueError);
}

TEST(HpoSvgScale, CategoricalBands) {
    Scale s = Scale::categorical({"sgd", "adam", "rms"});
    s.set_range(0, 300);
    EXPECT_DOUBLE_EQ(s.map(0), 50);
    EXPECT_DOUBLE_EQ(s.map(1), 150);
    EXPECT_DOUBLE_EQ(s.map(2), 250);
    EXPECT_DOUBLE_EQ(s.map(1.25), 175);  // a spread inside the band
    EXPECT_TRUE(s.contains(-0.45));
    EXPECT_FALSE(s.contains(2.6));
    ASSERT_EQ(s.ticks().size(), 3u);
    EXPECT_EQ(s.ticks()[1].label, "adam");
    EXPECT_THROW(Scale::categorical({}), ValueError);
}

TEST(HpoSvgEscape, MarkupCharacters) {
    EXPECT_EQ(hpo::svg::escape(R"(<a href="x">&'b')"),
              "&lt;a href=&quot;x&quot;&gt;&amp;&#39;b&#39;");
    EXPECT_EQ(hpo::svg::escape("plain"), "plain");
    EXPECT_EQ(hpo::svg::escape(""), "");
}

TEST(HpoSvgPlot, CountsTheMarkersItDraws) {
    hpo::svg::Plot plot("demo<1>", Scale::linear(0, 1), Scale::log(1, 100));
    plot.add_points({{0.5, 10, "a <b>"}, {1, 100, {}}, {2, 10, "outside"}, {0.5, 0, "zero"}},
                    {.marker = hpo::svg::Marker::Triangle});
    plot.add_points({{0.1, 2, {}}}, {.color = "#f00", .marker = hpo::svg::Marker::Cross});
    plot.add_line({{0, 1, {}}, {1, 100, {}}}, {}, true, "steps");
    plot.add_legend("points & <lines>", {});
    plot.set_labels("x", "y");
    EXPECT_EQ(plot.point_count(), 3u);
    const std::string svg = plot.render();
    EXPECT_NE(svg.find(R"(<svg class="plot" data-plot="demo&lt;1&gt;" data-points="3")"),
              std::string::npos)
        << svg;
    EXPECT_EQ(count(svg, "class=\"pt\""), 3u);
    EXPECT_EQ(count(svg, "class=\"key\""), 1u);
    EXPECT_EQ(count(svg, "<polyline"), 1u);
    EXPECT_NE(svg.find("<title>a &lt;b&gt;</title>"), std::string::npos);
    EXPECT_NE(svg.find("points &amp; &lt;lines&gt;"), std::string::npos);
    EXPECT_EQ(svg.find("outside"), std::string::npos);
    expect_offline(svg);
}

TEST(HpoReport, EmptyStudy) {
    TempDir dir;
    const hpo::Storage s = small_storage(dir / "empty.db");
    const std::string html = hpo::study_report_html(s);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<h1>Study small</h1>"), std::string::npos);
    EXPECT_NE(html.find("val_loss, minimize"), std::string::npos);
    EXPECT_NE(html.find("random: 1 to 3 epochs"), std::string::npos);
    EXPECT_NE(html.find("budget 4 trials"), std::string::npos);
    EXPECT_NE(html.find("No trials yet."), std::string::npos);
    EXPECT_NE(html.find(R"(data-status="ALL" data-count="0")"), std::string::npos);
    EXPECT_EQ(points(html, "objective-over-time"), 0);
    EXPECT_EQ(points(html, "learning-curves"), 0);
    EXPECT_EQ(points(html, "param-lr"), 0);
    EXPECT_EQ(points(html, "param-opt"), 0);
    EXPECT_NE(chart(html, "objective-over-time").find("no results yet"), std::string::npos);
    EXPECT_EQ(count(html, "<polyline"), 0u);
    expect_offline(html);
}

TEST(HpoReport, OneTrial) {
    TempDir dir;
    hpo::Storage s = small_storage(dir / "one.db");
    complete(s, job(0, 0.01, "adam"), 0.42, 1000);
    const std::string html = hpo::study_report_html(s);
    EXPECT_EQ(points(html, "objective-over-time"), 1);
    EXPECT_EQ(points(html, "learning-curves"), 3);
    EXPECT_EQ(points(html, "param-lr"), 1);
    EXPECT_EQ(points(html, "param-opt"), 1);
    EXPECT_NE(html.find(R"(<div id="best" data-trial="0">)"), std::string::npos);
    EXPECT_NE(html.find(R"(data-status="COMPLETE" data-count="1")"), std::string::npos);
    EXPECT_NE(html.find("<tr><th>opt</th><td>adam</td></tr>"), std::string::npos);
    EXPECT_EQ(attribute(chart(html, "param-lr"), "data-scale"), "log");
    EXPECT_EQ(attribute(chart(html, "param-opt"), "data-scale"), "categorical");
    expect_offline(html);
}

TEST(HpoReport, AllValuesEqual) {
    TempDir dir;
    hpo::Storage s = small_storage(dir / "equal.db");
    complete(s, job(0, 0.01, "adam"), 0.5, 1000);
    complete(s, job(1, 0.02, "sgd"), 0.5, 1000);  // the same time too
    complete(s, job(2, 0.05, "sgd"), 0.5, 1010);
    const std::string html = hpo::study_report_html(s);
    EXPECT_EQ(points(html, "objective-over-time"), 3);
    EXPECT_EQ(points(html, "learning-curves"), 9);
    EXPECT_EQ(points(html, "param-lr"), 3);
    // ties go to the lower trial id
    EXPECT_NE(html.find(R"(<div id="best" data-trial="0">)"), std::string::npos);
    EXPECT_EQ(html.find("nan"), std::string::npos);
    EXPECT_EQ(html.find("NaN"), std::string::npos);
}

TEST(HpoReport, NonFiniteValuesAreLeftOutAndCounted) {
    TempDir dir;
    hpo::Storage s = small_storage(dir / "inf.db");
    complete(s, job(0, 0.01, "adam"), 0.3, 1000);
    const hpo::Job j1 = job(1, 0.02, "sgd");
    s.job_started(j1, {}, 1001);
    s.epoch_reported(1, 1, 0.9, 1002);
    s.epoch_reported(1, 2, HUGE_VAL, 1003);   // an infinity, left out of the charts
    s.epoch_reported(1, 3, -HUGE_VAL, 1004);  // likewise
    s.job_reported(j1, HUGE_VAL, true, {}, 1004);
    const hpo::Job j2 = job(2, 0.05, "sgd", 1);
    s.job_started(j2, {}, 1005);
    s.job_reported(j2, -HUGE_VAL, false, {}, 1006);
    const std::string html = hpo::study_report_html(s);
    EXPECT_EQ(points(html, "objective-over-time"), 1);
    EXPECT_EQ(points(html, "learning-curves"), 4);
    EXPECT_EQ(points(html, "param-lr"), 1);
    EXPECT_NE(html.find("2 results are not finite (NaN or infinity) and left out."),
              std::string::npos);
    EXPECT_NE(html.find("2 epoch reports are not finite (NaN or infinity) and left out."),
              std::string::npos);
    EXPECT_NE(html.find("2 values are not finite"), std::string::npos);
    EXPECT_NE(html.find(R"(<div id="best" data-trial="0">)"), std::string::npos);
    EXPECT_NE(html.find("<td>inf</td>"), std::string::npos);  // the table shows what is stored
    EXPECT_EQ(html.find("1e+308"), std::string::npos);
}

TEST(HpoReport, FailedTrialWithoutValue) {
    TempDir dir;
    hpo::Storage s = small_storage(dir / "fail.db");
    const hpo::Job j = job(0, 0.01, "adam");
    s.job_started(j, {}, 1000);
    s.job_failed(j, hpo::TrialStatus::Fail, "crashed: <script>alert('x') & \"y\"</script>", {},
                 1001);
    const std::string html = hpo::study_report_html(s);
    EXPECT_EQ(points(html, "objective-over-time"), 0);
    EXPECT_EQ(points(html, "param-lr"), 0);
    EXPECT_NE(html.find("1 failed trial without a value, not drawn."), std::string::npos);
    EXPECT_NE(html.find("No trial has a result yet."), std::string::npos);
    EXPECT_NE(html.find(R"(data-status="FAIL" data-count="1")"), std::string::npos);
    EXPECT_NE(
        html.find("crashed: &lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"),
        std::string::npos);
    EXPECT_EQ(count(html, "<script>"), 1u);  // the page's own
}

TEST(HpoReport, SyntheticAshaStudy) {
    TempDir dir;
    const auto want = hpo::testing::write_synthetic_study(dir / "asha.db");
    const hpo::Storage s = hpo::Storage::open_read_only(dir / "asha.db");
    const std::string html = hpo::study_report_html(s);
    ASSERT_GT(want.rung_results, want.trials);  // some trials were promoted
    EXPECT_EQ(points(html, "objective-over-time"), static_cast<long>(want.rung_results));
    EXPECT_EQ(points(html, "learning-curves"), static_cast<long>(want.epoch_reports));
    for (const char* p : {"lr", "hidden", "momentum", "optimizer"}) {
        EXPECT_EQ(points(html, std::string("param-") + p), static_cast<long>(want.with_value)) << p;
    }
    EXPECT_EQ(attribute(chart(html, "param-lr"), "data-scale"), "log");
    EXPECT_EQ(attribute(chart(html, "param-hidden"), "data-scale"), "log");
    EXPECT_EQ(attribute(chart(html, "param-momentum"), "data-scale"), "linear");
    EXPECT_EQ(attribute(chart(html, "param-optimizer"), "data-scale"), "categorical");
    EXPECT_NE(chart(html, "param-optimizer").find(">rms&lt;prop&gt;</text>"), std::string::npos);
    EXPECT_NE(html.find("<div id=\"best\" data-trial=\"" + std::to_string(want.best_trial) + "\">"),
              std::string::npos);
    for (const auto& [status, n] : want.by_status) {
        EXPECT_NE(html.find(std::string("data-status=\"") + hpo::to_string(status) +
                            "\" data-count=\"" + std::to_string(n) + "\""),
                  std::string::npos)
            << hpo::to_string(status);
    }
    EXPECT_NE(html.find("data-status=\"ALL\" data-count=\"" + std::to_string(want.trials) + "\""),
              std::string::npos);
    EXPECT_EQ(count(html, "<tr data-trial="), want.trials);
    EXPECT_NE(html.find("<h1>Study synthetic &lt;asha&gt; &amp; &#39;report&#39;</h1>"),
              std::string::npos);
    EXPECT_NE(html.find("1 epoch report is not finite"), std::string::npos);
    EXPECT_NE(html.find("2 failed trials without a value"), std::string::npos);
    EXPECT_NE(html.find("&lt;CUDA&gt; out of memory &amp; &quot;oops&quot; &#39;x&#39;"),
              std::string::npos);
    EXPECT_NE(html.find("best so far"), std::string::npos);
    EXPECT_EQ(count(chart(html, "objective-over-time"), "<polyline"), 1u);  // the best so far
    expect_offline(html);
}

TEST(HpoReport, WrittenAtomically) {
    TempDir dir;
    hpo::Storage s = small_storage(dir / "w.db");
    complete(s, job(0, 0.01, "adam"), 0.42, 1000);
    const std::string path = dir / "report.html";
    hpo::write_study_report(s, path);
    hpo::write_study_report(s, path);  // over an existing one
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), hpo::study_report_html(s));
    for (const auto& e : fs::directory_iterator(dir.path())) {
        EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
    }
    EXPECT_THROW(hpo::write_study_report(s, dir / "missing/report.html"), IOError);
}
