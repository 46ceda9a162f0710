#include "unit/client/test_server.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace clara::client::testing {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string status_text(unsigned status) {
    return std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(status)));
}

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return "";
}

bool ReceivedRequest::has_header(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& header) { return iequals(header.first, name); });
}

ServerConnection::ServerConnection(tcp::socket socket, ssl::context* tls)
    : socket_(std::move(socket)) {
    if (tls) {
        tls_ = std::make_unique<ssl::stream<tcp::socket&>>(socket_, *tls);
    }
}

bool ServerConnection::handshake() {
    if (!tls_) {
        return true;
    }
    boost::system::error_code ec;
    tls_->handshake(ssl::stream_base::server, ec);
    return !ec;
}

std::string ServerConnection::server_name() {
    if (!tls_) {
        return "";
    }
    const char* name = SSL_get_servername(tls_->native_handle(), TLSEXT_NAMETYPE_host_name);
    return name ? name : "";
}

bool ServerConnection::read_request(ReceivedRequest& request) {
    bhttp::request<bhttp::string_body> message;
    boost::system::error_code ec;
    if (tls_) {
        bhttp::read(*tls_, buffer_, message, ec);
    } else {
        bhttp::read(socket_, buffer_, message, ec);
    }
    if (ec) {
        return false;
    }
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.headers.clear();
    for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    return true;
}

bool ServerConnection::respond(unsigned status, std::string_view body, const Fields& headers) {
    std::string text = "HTTP/1.1 " + std::to_string(status) + " " + status_text(status) + "\r\n";
    for (const auto& [name, value] : headers) {
        text += name + ": " + value + "\r\n";
    }
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    text += body;
    return write(text);
}

bool ServerConnection::write(std::string_view bytes) {
    boost::system::error_code ec;
    if (tls_) {
        net::write(*tls_, net::buffer(bytes), ec);
    } else {
        net::write(socket_, net::buffer(bytes), ec);
    }
    return !ec;
}

void ServerConnection::close() {
    // Only shut down: the descriptor stays open until the connection's thread ends (see
    // TestServer::accept_loop), so its number cannot be reused while the server lists it.
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
}

void ServerConnection::release() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

TestServer::TestServer(ConnectionHandler handler, ssl::context* tls)
    : handler_(std::move(handler)), tls_(tls), acceptor_(io_) {
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    acceptor_thread_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
    stopping_ = true;
    // shutdown() wakes a thread blocked in accept() or read() on Linux; close() would not.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    acceptor_thread_.join();
    {
        std::lock_guard lock(mutex_);
        for (int fd : open_fds_) {
            ::shutdown(fd, SHUT_RDWR);
        }
    }
    for (auto& worker : workers_) {
        worker.join();
    }
}

ConnectionHandler TestServer::each_request(RequestHandler handler) {
    return [handler = std::move(handler)](ServerConnection& connection) {
        ReceivedRequest request;
        while (connection.read_request(request)) {
            handler(request, connection);
        }
    };
}

std::string TestServer::url(std::string_view path) const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
           std::string(path);
}

void TestServer::accept_loop() {
    while (!stopping_) {
        tcp::socket socket(io_);
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stopping_) {
            return;
        }
        ++connections_;
        std::lock_guard lock(mutex_);
        const int fd = socket.native_handle();
        open_fds_.push_back(fd);
        workers_.emplace_back([this, fd, socket = std::move(socket)]() mutable {
            ServerConnection connection(std::move(socket), tls_);
            if (connection.handshake()) {
                handler_(connection);
            }
            // Unlist before closing, under the lock the destructor's shutdown loop holds, so
            // that loop never touches a descriptor number the process has reused.
            std::lock_guard unlist(mutex_);
            open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
            connection.release();
        });
    }
}

namespace {

struct X509Deleter {
    void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioDeleter {
    void operator()(BIO* b) const { BIO_free(b); }
};

void add_extension(X509* certificate, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!extension) {
        throw std::runtime_error("cannot build certificate extension");
    }
    X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
}

std::string to_pem(const std::function<int(BIO*)>& write) {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
    if (!write(bio.get())) {
        throw std::runtime_error("cannot write PEM");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

TestCertificate::TestCertificate() {
    std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
    std::unique_ptr<X509, X509Deleter> certificate(X509_new());
    if (!key || !certificate) {
        throw std::runtime_error("cannot create test key or certificate");
    }
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 24 * 3600);
    X509_set_pubkey(certificate.get(), key.get());
    X509_NAME* name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(certificate.get(), name);
    add_extension(certificate.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(certificate.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_extension(certificate.get(), NID_subject_alt_name, "DNS:localhost");
    if (!X509_sign(certificate.get(), key.get(), EVP_sha256())) {
        throw std::runtime_error("cannot sign test certificate");
    }
    const std::string certificate_pem =
        to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, certificate.get()); });
    const std::string key_pem = to_pem([&](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });

    static std::atomic<int> counter{0};
    directory_ =
        (std::filesystem::temp_directory_path() /
         ("clara-client-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
            .string();
    std::filesystem::create_directories(directory_);
    certificate_file_ = directory_ + "/ca.pem";
    std::ofstream(certificate_file_) << certificate_pem;

    server_context_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    server_context_->use_certificate_chain(net::buffer(certificate_pem));
    server_context_->use_private_key(net::buffer(key_pem), ssl::context::pem);
}

TestCertificate::~TestCertificate() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
}

}  // namespace clara::client::testing
