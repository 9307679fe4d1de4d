// The Openfire 4.2.0 database (schema version 26) for the embedded test server, HSQLDB dialect.
// Openfire runs this file from <home>/resources/database/ when its database is empty (SchemaManager): the xmppserver
// jar on Maven Central does not ship it. Written for the tests from the statements Openfire 4.2.0 issues (users,
// roster, presence, properties, ids, and the tables its MUC/pubsub/PEP modules read at start-up); not a full copy of
// the distribution's script. Each statement ends with a semicolon at the end of a line; lines starting with // are
// comments (Openfire's script reader).

CREATE TABLE ofVersion (name VARCHAR(50) NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (name));
CREATE TABLE ofProperty (name VARCHAR(100) NOT NULL, propValue VARCHAR(4000) NOT NULL, encrypted INTEGER, PRIMARY KEY (name));
CREATE TABLE ofID (idType INTEGER NOT NULL, id BIGINT NOT NULL, PRIMARY KEY (idType));

// Users and what hangs off them
CREATE TABLE ofUser (username VARCHAR(64) NOT NULL, storedKey VARCHAR(32), serverKey VARCHAR(32), salt VARCHAR(32), iterations INTEGER, plainPassword VARCHAR(32), encryptedPassword VARCHAR(255), name VARCHAR(100), email VARCHAR(100), creationDate VARCHAR(15) NOT NULL, modificationDate VARCHAR(15) NOT NULL, PRIMARY KEY (username));
CREATE TABLE ofUserProp (username VARCHAR(64) NOT NULL, name VARCHAR(100) NOT NULL, propValue VARCHAR(4000) NOT NULL, PRIMARY KEY (username, name));
CREATE TABLE ofUserFlag (username VARCHAR(64) NOT NULL, name VARCHAR(100) NOT NULL, startTime VARCHAR(15), endTime VARCHAR(15), PRIMARY KEY (username, name));
CREATE TABLE ofOffline (username VARCHAR(64) NOT NULL, messageID BIGINT NOT NULL, creationDate VARCHAR(15) NOT NULL, messageSize INTEGER NOT NULL, stanza LONGVARCHAR NOT NULL, PRIMARY KEY (username, messageID));
CREATE TABLE ofPresence (username VARCHAR(64) NOT NULL, offlinePresence LONGVARCHAR, offlineDate VARCHAR(15) NOT NULL, PRIMARY KEY (username));
CREATE TABLE ofRoster (rosterID BIGINT NOT NULL, username VARCHAR(64) NOT NULL, jid VARCHAR(1024) NOT NULL, sub INTEGER NOT NULL, ask INTEGER NOT NULL, recv INTEGER NOT NULL, nick VARCHAR(255), PRIMARY KEY (rosterID));
CREATE INDEX ofRoster_user ON ofRoster (username);
CREATE INDEX ofRoster_jid ON ofRoster (jid);
CREATE TABLE ofRosterGroups (rosterID BIGINT NOT NULL, rank INTEGER NOT NULL, groupName VARCHAR(255) NOT NULL, PRIMARY KEY (rosterID, rank));
CREATE TABLE ofVCard (username VARCHAR(64) NOT NULL, vcard LONGVARCHAR NOT NULL, PRIMARY KEY (username));
CREATE TABLE ofPrivate (username VARCHAR(64) NOT NULL, name VARCHAR(100) NOT NULL, namespace VARCHAR(200) NOT NULL, privateData LONGVARCHAR NOT NULL, PRIMARY KEY (username, name, namespace));
CREATE TABLE ofPrivacyList (username VARCHAR(64) NOT NULL, name VARCHAR(100) NOT NULL, isDefault INTEGER NOT NULL, list LONGVARCHAR NOT NULL, PRIMARY KEY (username, name));

// Groups
CREATE TABLE ofGroup (groupName VARCHAR(50) NOT NULL, description VARCHAR(255), PRIMARY KEY (groupName));
CREATE TABLE ofGroupProp (groupName VARCHAR(50) NOT NULL, name VARCHAR(100) NOT NULL, propValue VARCHAR(4000) NOT NULL, PRIMARY KEY (groupName, name));
CREATE TABLE ofGroupUser (groupName VARCHAR(50) NOT NULL, username VARCHAR(100) NOT NULL, administrator INTEGER NOT NULL, PRIMARY KEY (groupName, username, administrator));

// Server-wide configuration and audit
CREATE TABLE ofExtComponentConf (subdomain VARCHAR(255) NOT NULL, wildcard INTEGER NOT NULL, secret VARCHAR(255), permission VARCHAR(10) NOT NULL, PRIMARY KEY (subdomain));
CREATE TABLE ofRemoteServerConf (xmppDomain VARCHAR(255) NOT NULL, remotePort INTEGER, permission VARCHAR(10) NOT NULL, PRIMARY KEY (xmppDomain));
CREATE TABLE ofSecurityAuditLog (msgID BIGINT NOT NULL, username VARCHAR(64) NOT NULL, entryStamp BIGINT NOT NULL, summary VARCHAR(255) NOT NULL, node VARCHAR(255) NOT NULL, details LONGVARCHAR, PRIMARY KEY (msgID));

// Multi-user chat: read at start-up; no service rows, so no conference service
CREATE TABLE ofMucService (serviceID BIGINT NOT NULL, subdomain VARCHAR(255) NOT NULL, description VARCHAR(255), isHidden INTEGER NOT NULL, PRIMARY KEY (subdomain));
CREATE TABLE ofMucServiceProp (serviceID BIGINT NOT NULL, name VARCHAR(100) NOT NULL, propValue VARCHAR(4000) NOT NULL, PRIMARY KEY (serviceID, name));
CREATE TABLE ofMucRoom (serviceID BIGINT NOT NULL, roomID BIGINT NOT NULL, creationDate CHAR(15) NOT NULL, modificationDate CHAR(15) NOT NULL, name VARCHAR(50) NOT NULL, naturalName VARCHAR(255) NOT NULL, description VARCHAR(255), lockedDate CHAR(15) NOT NULL, emptyDate CHAR(15), canChangeSubject INTEGER NOT NULL, maxUsers INTEGER NOT NULL, publicRoom INTEGER NOT NULL, moderated INTEGER NOT NULL, membersOnly INTEGER NOT NULL, canInvite INTEGER NOT NULL, roomPassword VARCHAR(50), canDiscoverJID INTEGER NOT NULL, logEnabled INTEGER NOT NULL, subject LONGVARCHAR, rolesToBroadcast INTEGER NOT NULL, useReservedNick INTEGER NOT NULL, canChangeNick INTEGER NOT NULL, canRegister INTEGER NOT NULL, allowpm INTEGER, PRIMARY KEY (serviceID, name));
CREATE TABLE ofMucRoomProp (roomID BIGINT NOT NULL, name VARCHAR(100) NOT NULL, propValue VARCHAR(4000) NOT NULL, PRIMARY KEY (roomID, name));
CREATE TABLE ofMucAffiliation (roomID BIGINT NOT NULL, jid VARCHAR(1024) NOT NULL, affiliation INTEGER NOT NULL, PRIMARY KEY (roomID, jid));
CREATE TABLE ofMucMember (roomID BIGINT NOT NULL, jid VARCHAR(1024) NOT NULL, nickname VARCHAR(255), firstName VARCHAR(100), lastName VARCHAR(100), url VARCHAR(100), email VARCHAR(100), faqentry VARCHAR(100), PRIMARY KEY (roomID, jid));
CREATE TABLE ofMucConversationLog (roomID BIGINT NOT NULL, messageID BIGINT NOT NULL, sender VARCHAR(1024) NOT NULL, nickname VARCHAR(255), logTime CHAR(15) NOT NULL, subject VARCHAR(255), body LONGVARCHAR, stanza LONGVARCHAR);

// Publish-subscribe (and PEP): the module loads and creates its root node at start-up
CREATE TABLE ofPubsubNode (serviceID VARCHAR(100) NOT NULL, nodeID VARCHAR(100) NOT NULL, leaf INTEGER NOT NULL, creationDate CHAR(15) NOT NULL, modificationDate CHAR(15) NOT NULL, parent VARCHAR(100), deliverPayloads INTEGER NOT NULL, maxPayloadSize INTEGER, persistItems INTEGER, maxItems INTEGER, notifyConfigChanges INTEGER NOT NULL, notifyDelete INTEGER NOT NULL, notifyRetract INTEGER NOT NULL, presenceBased INTEGER NOT NULL, sendItemSubscribe INTEGER NOT NULL, publisherModel VARCHAR(15) NOT NULL, subscriptionEnabled INTEGER NOT NULL, configSubscription INTEGER NOT NULL, accessModel VARCHAR(10) NOT NULL, payloadType VARCHAR(100), bodyXSLT VARCHAR(100), dataformXSLT VARCHAR(100), creator VARCHAR(1024) NOT NULL, description VARCHAR(255), language VARCHAR(255), name VARCHAR(50), replyPolicy VARCHAR(15), associationPolicy VARCHAR(15), maxLeafNodes INTEGER, PRIMARY KEY (serviceID, nodeID));
CREATE TABLE ofPubsubNodeJIDs (serviceID VARCHAR(100) NOT NULL, nodeID VARCHAR(100) NOT NULL, jid VARCHAR(1024) NOT NULL, associationType VARCHAR(20) NOT NULL, PRIMARY KEY (serviceID, nodeID, jid));
CREATE TABLE ofPubsubNodeGroups (serviceID VARCHAR(100) NOT NULL, nodeID VARCHAR(100) NOT NULL, rosterGroup VARCHAR(100) NOT NULL);
CREATE TABLE ofPubsubAffiliation (serviceID VARCHAR(100) NOT NULL, nodeID VARCHAR(100) NOT NULL, jid VARCHAR(1024) NOT NULL, affiliation VARCHAR(10) NOT NULL, PRIMARY KEY (serviceID, nodeID, jid));
CREATE TABLE ofPubsubItem (serviceID VARCHAR(100) NOT NULL, nodeID VARCHAR(100) NOT NULL, id VARCHAR(100) NOT NULL, jid VARCHAR(1024) NOT NULL, creationDate CHAR(15) NOT NULL, payload LONGVARCHAR, PRIMARY KEY (serviceID, nodeID, id));
CREATE TABLE ofPubsubSubscription (serviceID VARCHAR(100) NOT NULL, nodeID VARCHAR(100) NOT NULL, id VARCHAR(100) NOT NULL, jid VARCHAR(1024) NOT NULL, owner VARCHAR(1024) NOT NULL, state VARCHAR(15) NOT NULL, deliver INTEGER NOT NULL, digest INTEGER NOT NULL, digest_frequency INTEGER NOT NULL, expire CHAR(15), includeBody INTEGER NOT NULL, showValues VARCHAR(30) NOT NULL, subscriptionType VARCHAR(10) NOT NULL, subscriptionDepth INTEGER NOT NULL, keyword VARCHAR(200), PRIMARY KEY (serviceID, nodeID, id));
CREATE TABLE ofPubsubDefaultConf (serviceID VARCHAR(100) NOT NULL, leaf INTEGER NOT NULL, deliverPayloads INTEGER NOT NULL, maxPayloadSize INTEGER NOT NULL, persistItems INTEGER NOT NULL, maxItems INTEGER NOT NULL, notifyConfigChanges INTEGER NOT NULL, notifyDelete INTEGER NOT NULL, notifyRetract INTEGER NOT NULL, presenceBased INTEGER NOT NULL, sendItemSubscribe INTEGER NOT NULL, publisherModel VARCHAR(15) NOT NULL, subscriptionEnabled INTEGER NOT NULL, accessModel VARCHAR(10) NOT NULL, language VARCHAR(255), replyPolicy VARCHAR(15), associationPolicy VARCHAR(15) NOT NULL, maxLeafNodes INTEGER NOT NULL, PRIMARY KEY (serviceID, leaf));

// Last: the version row tells Openfire the schema is complete.
INSERT INTO ofVersion (name, version) VALUES ('openfire', 26);
