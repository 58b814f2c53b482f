#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

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

    // Returns the payloads (revision ids) of the notifications that arrived, or none when
    // `timeout` passed first. A notification that libpqxx took in during another query on the
    // connection (reading the state) counts, so none is lost between a read and the next wait.
    // Throws DatabaseUnreachable when the connection is lost.
    std::vector<std::string> wait(std::chrono::milliseconds timeout);

private:
    class Receiver;
    PgStore& m_store;
    std::unique_ptr<Receiver> m_receiver;
};

} // namespace schemagate::store
