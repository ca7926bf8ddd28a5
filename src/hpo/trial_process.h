#pragma once
// One job's process: started with its own environment, its stdout read line by line through a
// pipe, its stderr appended to a log file. It dies with the coordinator (PR_SET_PDEATHSIG), and
// the destructor kills and reaps a process still running.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace magmadnn::hpo::detail {

class TrialProcess {
  public:
    // IOError naming the program when the pipe or the fork fails; a program that cannot be
    // executed exits 127 with the reason in the log.
    TrialProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::string& stderr_log);
    ~TrialProcess();
    TrialProcess(const TrialProcess&) = delete;
    TrialProcess& operator=(const TrialProcess&) = delete;

    int stdout_fd() const { return fd_; }  // -1 once the pipe reached its end
    // Reads what is there; returns the complete lines (the last one at the pipe's end too).
    std::vector<std::string> read_lines();
    // The exit, once the process ended: "" for status 0, else "exit status 3" or "killed by
    // signal 9 (SIGKILL)". Nothing while it runs.
    std::optional<std::string> poll_exit();
    void kill_now();  // SIGKILL to its process group
    bool exited() const { return exit_.has_value(); }

  private:
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string partial_;
    std::optional<std::string> exit_;
};

// The last `lines` non-empty lines of a file, at most `max_chars` from its end.
std::string tail_of_file(const std::string& path, int lines, std::size_t max_chars);

}  // namespace magmadnn::hpo::detail
