// Job processes: fork and exec with a pipe for stdout, line reading, exit status and kill.
#include "hpo/trial_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "magmadnn/core/error.h"

namespace magmadnn::hpo::detail {

TrialProcess::TrialProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, const std::string& stderr_log) {
    if (argv.empty()) throw ValueError("hpo: a trial command needs a program");
    // everything the child touches is built before fork: it only calls async-signal-safe
    // functions until exec
    std::vector<char*> args, envp;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const int log = ::open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) {
        throw IOError(
            fmt::format("cannot open the trial log '{}': {}", stderr_log, std::strerror(errno)));
    }
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        ::close(log);
        throw IOError(
            fmt::format("hpo: cannot make a pipe for '{}': {}", argv[0], std::strerror(errno)));
    }
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) {
        const int err = errno;
        ::close(log);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        throw IOError(fmt::format("hpo: cannot start '{}': {}", argv[0], std::strerror(err)));
    }
    if (pid_ == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(126);  // the coordinator died before prctl
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        const int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, STDIN_FILENO);
        execvpe(args[0], args.data(), envp.data());
        const char* why = std::strerror(errno);
        const char* head = "magmadnn tune: cannot run the trial command: ";
        [[maybe_unused]] auto w1 = write(STDERR_FILENO, head, std::strlen(head));
        [[maybe_unused]] auto w2 = write(STDERR_FILENO, args[0], std::strlen(args[0]));
        [[maybe_unused]] auto w3 = write(STDERR_FILENO, ": ", 2);
        [[maybe_unused]] auto w4 = write(STDERR_FILENO, why, std::strlen(why));
        [[maybe_unused]] auto w5 = write(STDERR_FILENO, "\n", 1);
        _exit(127);
    }
    setpgid(pid_, pid_);  // also here: no race with a kill before the child ran setpgid
    ::close(log);
    ::close(pipe_fds[1]);
    fd_ = pipe_fds[0];
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

TrialProcess::~TrialProcess() {
    if (fd_ >= 0) ::close(fd_);
    if (pid_ > 0 && !exit_) {
        kill(-pid_, SIGKILL);
        kill(pid_, SIGKILL);
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

std::vector<std::string> TrialProcess::read_lines() {
    std::vector<std::string> lines;
    if (fd_ < 0) return lines;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n > 0) {
            partial_.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {  // the end
            ::close(fd_);
            fd_ = -1;
        }
        break;
    }
    std::size_t start = 0;
    for (std::size_t nl = partial_.find('\n'); nl != std::string::npos;
         nl = partial_.find('\n', start)) {
        lines.push_back(partial_.substr(start, nl - start));
        start = nl + 1;
    }
    partial_.erase(0, start);
    if (fd_ < 0 && !partial_.empty()) {
        lines.push_back(partial_);
        partial_.clear();
    }
    return lines;
}

std::optional<std::string> TrialProcess::poll_exit() {
    if (exit_) return exit_;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) return std::nullopt;
    if (r < 0) {
        exit_ = fmt::format("lost: {}", std::strerror(errno));
    } else if (WIFEXITED(status)) {
        exit_ = WEXITSTATUS(status) == 0 ? std::string()
                                         : fmt::format("exit status {}", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        exit_ = fmt::format("killed by signal {} ({})", WTERMSIG(status),
                            sigabbrev_np(WTERMSIG(status)) != nullptr
                                ? fmt::format("SIG{}", sigabbrev_np(WTERMSIG(status)))
                                : std::string("?"));
    } else {
        return std::nullopt;
    }
    kill(-pid_, SIGKILL);  // what it left behind in its group
    return exit_;
}

void TrialProcess::kill_now() {
    if (pid_ > 0 && !exit_) {
        kill(-pid_, SIGKILL);
        kill(pid_, SIGKILL);
    }
}

std::string tail_of_file(const std::string& path, int lines, std::size_t max_chars) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    const std::size_t from = size > max_chars ? size - max_chars : 0;
    in.seekg(static_cast<std::streamoff>(from));
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<std::string> kept;
    std::string line;
    while (std::getline(ss, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) kept.push_back(line);
    }
    const std::size_t first = kept.size() > std::size_t(lines) ? kept.size() - lines : 0;
    std::string out;
    for (std::size_t i = first; i < kept.size(); ++i) {
        if (!out.empty()) out += " | ";
        out += kept[i];
    }
    return out;
}

}  // namespace magmadnn::hpo::detail
