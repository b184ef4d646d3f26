# Writes OUT, a C++ file defining wharf::embedded_openapi_json() that returns the contents of IN.
file(READ ${IN} content)
string(LENGTH "${content}" len)
file(WRITE ${OUT} "#include <string_view>\nnamespace wharf {\nstd::string_view embedded_openapi_json() {\n  static constexpr char kText[] = R\"__WHARF__(${content})__WHARF__\";\n  return {kText, sizeof(kText) - 1};\n}\n}  // namespace wharf\n")
