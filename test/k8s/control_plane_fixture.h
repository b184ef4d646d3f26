// The control plane of test/k8s for the gtest integration tests: started once per run into a temporary
// directory and stopped by PID at the end, or reused from WHARF_K8S_DIR (then not stopped). Its env file
// is read into vars_.
#pragma once

#include <sys/wait.h>

#include <gtest/gtest.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace wharf::kube {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

inline const std::string kScripts = std::string(WHARF_SOURCE_DIR) + "/test/k8s";

inline double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Runs a shell command; returns its exit status and stdout.
inline std::pair<int, std::string> sh(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ControlPlane : public ::testing::Environment {
 public:
  void SetUp() override {
    if (const char* existing = std::getenv("WHARF_K8S_DIR")) {
      dir_ = existing;
    } else {
      auto build = sh(kScripts + "/build-control-plane.sh 2>&1");
      if (build.first != 0) {
        skip_ = "the control plane binaries are not built and test/k8s/build-control-plane.sh failed:\n" +
                build.second.substr(build.second.size() > 2000 ? build.second.size() - 2000 : 0);
        return;
      }
      char tmpl[] = "/tmp/wharf-k8s-XXXXXX";
      dir_ = mkdtemp(tmpl);
      owned_ = true;
      auto t = Clock::now();
      auto start = sh(kScripts + "/start-control-plane.sh " + dir_.string() + " 2>&1");
      start_ms_ = ms_since(t);
      if (start.first != 0) {
        failure_ = "start-control-plane.sh failed:\n" + start.second;
        return;
      }
      std::printf("[control plane] started in %.0f ms in %s\n", start_ms_, dir_.c_str());
    }
    // `export KEY=value` lines.
    std::istringstream env(read_text(dir_ / "env"));
    for (std::string line; std::getline(env, line);) {
      if (!line.starts_with("export ")) continue;
      auto eq = line.find('=');
      if (eq != std::string::npos) vars_[line.substr(7, eq - 7)] = line.substr(eq + 1);
    }
  }
  void TearDown() override {
    if (!owned_) return;
    auto stop = sh(kScripts + "/stop-control-plane.sh " + dir_.string() + " 2>&1");
    if (stop.first != 0) std::printf("stop-control-plane.sh failed:\n%s\n", stop.second.c_str());
    if (stop.first == 0) fs::remove_all(dir_);
  }

  std::string skip_, failure_;
  fs::path dir_;
  bool owned_ = false;
  double start_ms_ = 0;
  std::map<std::string, std::string> vars_;
};

// Set by main() before the tests run; gtest owns it.
inline ControlPlane* plane = nullptr;

}  // namespace wharf::kube
