#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <schemagate/store/pg_store.hpp>

namespace schemagate::store {

// LISTENs on the history table's channel over the store's own connection, so a waiter costs
// the database one connection.
class ChangeListener {
public:
    ChangeListener(PgStore& store, const HistoryTable& table);
    ~ChangeListener();
    ChangeListener(const ChangeListener&) = delete;
    ChangeListener& operator=(const ChangeListener&) = delete;

    // Returns when a notification arrived (true) or `timeout` passed (false). A notification
    // that libpqxx took in during another query on the connection (reading the state) counts,
    // so none is lost between a read and the next wait. Throws DatabaseUnreachable when the
    // connection is lost.
    bool wait(std::chrono::milliseconds timeout);

private:
    class Receiver;
    PgStore& m_store;
    std::unique_ptr<Receiver> m_receiver;
};

} // namespace schemagate::store
