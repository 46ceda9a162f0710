// Boost.URL compiled into the fuzz build, so the sanitizers and the coverage see it.
#include <boost/url/src.hpp>
