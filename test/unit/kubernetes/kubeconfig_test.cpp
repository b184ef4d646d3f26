#include "runtime/kubernetes/kubeconfig.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace wharf::kube {
namespace {

// "hello" / "world" base64-encoded stand in for PEM data: parsing does not look inside.
constexpr const char* kCertConfig = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: other
  cluster: {server: "https://10.0.0.1:6443"}
- name: c1
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: aGVsbG8=
contexts:
- name: dev
  context: {cluster: other, user: nobody}
- name: prod
  context: {cluster: c1, user: admin}
users:
- name: admin
  user:
    client-certificate-data: aGVsbG8=
    client-key-data: d29ybGQ=
)";

TEST(KubeconfigTest, ParsesCurrentContextWithClientCertificate) {
  auto kc = parse_kubeconfig(kCertConfig);
  ASSERT_TRUE(kc) << kc.error().message;
  EXPECT_EQ(kc->context, "prod");
  EXPECT_EQ(kc->cluster, "c1");
  EXPECT_EQ(kc->user, "admin");
  EXPECT_EQ(kc->server, "https://127.0.0.1:6443");  // trailing '/' dropped
  EXPECT_EQ(kc->ca_pem, "hello");
  EXPECT_EQ(kc->client_cert_pem, "hello");
  EXPECT_EQ(kc->client_key_pem, "world");
  EXPECT_TRUE(kc->token.empty());
  EXPECT_FALSE(kc->insecure_skip_tls_verify);
}

TEST(KubeconfigTest, ParsesTokenAndInsecureSkip) {
  auto kc = parse_kubeconfig(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k.example:443", insecure-skip-tls-verify: true}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users: [{name: u, user: {token: abc.def}}]
)");
  ASSERT_TRUE(kc) << kc.error().message;
  EXPECT_EQ(kc->token, "abc.def");
  EXPECT_TRUE(kc->insecure_skip_tls_verify);
  EXPECT_TRUE(kc->ca_pem.empty());
}

TEST(KubeconfigTest, ExplicitContextOverridesCurrent) {
  KubeconfigOptions options;
  options.context = "dev";
  auto kc = parse_kubeconfig(kCertConfig, options);
  ASSERT_FALSE(kc);
  EXPECT_EQ(kc.error().message, "kubeconfig: user \"nobody\" (context \"dev\") is not in users");
}

Error parse_error(const std::string& text) {
  auto kc = parse_kubeconfig(text);
  EXPECT_FALSE(kc);
  return kc ? Error{} : kc.error();
}

TEST(KubeconfigTest, UserWithoutCredentials) {
  auto e = parse_error(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k:1"}}]
contexts: [{name: x, context: {cluster: c, user: x}}]
users: [{name: x, user: {}}]
)");
  EXPECT_EQ(e.code, ErrorCode::kInvalid);
  EXPECT_EQ(e.message, "kubeconfig: user \"x\" has neither a token nor a client certificate");
}

TEST(KubeconfigTest, ExecPluginIsNamed) {
  auto e = parse_error(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k:1"}}]
contexts: [{name: x, context: {cluster: c, user: x}}]
users: [{name: x, user: {exec: {command: aws}}}]
)");
  EXPECT_NE(e.message.find("exec or auth-provider"), std::string::npos) << e.message;
}

TEST(KubeconfigTest, ErrorsNameTheField) {
  EXPECT_EQ(parse_error("clusters: []").message, "kubeconfig: current-context is not set");
  EXPECT_EQ(parse_error("current-context: a\ncontexts: []").message,
            "kubeconfig: context \"a\" is not in contexts");
  auto e = parse_error(R"(
current-context: x
clusters: []
contexts: [{name: x, context: {cluster: c, user: u}}]
)");
  EXPECT_EQ(e.message, "kubeconfig: cluster \"c\" (context \"x\") is not in clusters");
  e = parse_error(R"(
current-context: x
clusters: [{name: c, cluster: {}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)");
  EXPECT_EQ(e.message, "kubeconfig: cluster \"c\" has no server");
  EXPECT_EQ(e.field, "server");
  e = parse_error(R"(
current-context: x
clusters: [{name: c, cluster: {server: "http://k:80"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)");
  EXPECT_EQ(e.message, "kubeconfig: cluster \"c\": server \"http://k:80\" must be an https:// URL");
  e = parse_error(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k:1", certificate-authority-data: "not base64!"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users: [{name: u, user: {token: t}}]
)");
  EXPECT_EQ(e.field, "certificate-authority-data");
  EXPECT_EQ(e.message, "kubeconfig: cluster \"c\": certificate-authority-data is not base64");
  e = parse_error(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k:1"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users: [{name: u, user: {client-certificate-data: aGVsbG8=}}]
)");
  EXPECT_EQ(e.field, "client-key-data");
  EXPECT_EQ(parse_error("a: [unclosed").message.rfind("kubeconfig: not valid YAML", 0), 0u);
  EXPECT_EQ(parse_error("- a list").message,
            "kubeconfig: the text is not a YAML mapping (is this a kubeconfig?)");
}

TEST(KubeconfigTest, FileReferencesNeedABaseDirectory) {
  const std::string text = R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k:1", certificate-authority: ca.crt}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users: [{name: u, user: {tokenFile: token}}]
)";
  auto e = parse_error(text);
  EXPECT_EQ(e.field, "certificate-authority");
  EXPECT_NE(e.message.find("embed it as certificate-authority-data"), std::string::npos) << e.message;

  auto dir = std::filesystem::temp_directory_path() / ("kubeconfig_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ca.crt") << "CA PEM";
  std::ofstream(dir / "token") << "secret\n";
  std::ofstream(dir / "config") << text;
  auto kc = load_kubeconfig_file((dir / "config").string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(kc) << kc.error().message;
  EXPECT_EQ(kc->ca_pem, "CA PEM");
  EXPECT_EQ(kc->token, "secret");
}

TEST(Base64Test, DecodesWithWhitespaceAndPadding) {
  std::string out;
  ASSERT_TRUE(base64_decode("aGVs\nbG8=", out));
  EXPECT_EQ(out, "hello");
  ASSERT_TRUE(base64_decode("", out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(base64_decode("YQ==", out));
  EXPECT_EQ(out, "a");
  EXPECT_FALSE(base64_decode("YQ=", out));
  EXPECT_FALSE(base64_decode("Y=Q=", out));
  EXPECT_FALSE(base64_decode("a-b_", out));  // URL-safe alphabet is not what kubeconfig uses
}

}  // namespace
}  // namespace wharf::kube
