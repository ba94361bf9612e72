#!/usr/bin/env python3
"""Source of _locales/{en,de}/messages.json: one table, so both languages always carry the same keys.
Run it after editing; the unit tests check that the generated files match and that every key exists in both."""
import json, os, sys

UI = {
 "extensionName": ("maildoctor", "maildoctor"),
 "extensionDescription": ("Finds out why a mail account cannot log in, and how to fix it.", "Findet heraus, warum sich ein E-Mail-Konto nicht anmelden kann, und wie es sich beheben lässt."),
 "actionTitle": ("maildoctor: account diagnosis", "maildoctor: Konto-Diagnose"),
 "popupTitle": ("Mail accounts", "E-Mail-Konten"),
 "statusOk": ("Working", "Funktioniert"),
 "statusProblem": ("Problem", "Problem"),
 "statusUnchecked": ("Not checked", "Nicht geprüft"),
 "statusChecking": ("Checking…", "Wird geprüft…"),
 "statusError": ("Check failed", "Prüfung fehlgeschlagen"),
 "statusInconclusive": ("Unclear", "Unklar"),
 "buttonDiagnose": ("Diagnose", "Prüfen"),
 "buttonDetails": ("Details", "Details"),
 "buttonHideDetails": ("Hide details", "Details ausblenden"),
 "buttonCopyReport": ("Copy report", "Bericht kopieren"),
 "reportCopied": ("Report copied. Passwords and addresses are removed.", "Bericht kopiert. Passwörter und Adressen sind entfernt."),
 "buttonApply": ("Apply", "Übernehmen"),
 "buttonCancel": ("Cancel", "Abbrechen"),
 "confirmChange": ("Change the $SETTING$ of the $SUBJECT$ server?", "$SETTING$ des $SUBJECT$ Servers ändern?", {"SETTING": "$1", "SUBJECT": "$2"}),
 "confirmOld": ("Now:", "Jetzt:"),
 "confirmNew": ("New:", "Neu:"),
 "fixOpenUrl": ("Open the provider's page", "Seite des Anbieters öffnen"),
 "fixChangeSetting": ("Set $SETTING$ to $VALUE$", "$SETTING$ auf $VALUE$ setzen", {"SETTING": "$1", "VALUE": "$2"}),
 "fixSteps": ("What to do", "So geht's"),
 "settingPort": ("port", "Port"),
 "settingSecurity": ("connection security", "Verbindungssicherheit"),
 "settingAuth": ("authentication method", "Authentifizierungsmethode"),
 "settingHost": ("server name", "Servername"),
 "settingUsername": ("user name", "Benutzername"),
 "subjectIncoming": ("incoming", "Posteingangs-"),
 "subjectOutgoing": ("outgoing (SMTP)", "Postausgangs- (SMTP)"),
 "subjectAccount": ("account", "Konto-"),
 "hostMissingTitle": ("The maildoctor program is not installed.", "Das Programm maildoctor ist nicht installiert."),
 "hostMissingText": ("Install it with this command, then restart Thunderbird:", "Installieren Sie es mit diesem Befehl und starten Sie Thunderbird neu:"),
 "hostMissingCommand": ("installer/install.sh", "installer/install.sh"),
 "errorHostFailed": ("The maildoctor program stopped unexpectedly.", "Das Programm maildoctor wurde unerwartet beendet."),
 "errorTimeout": ("The diagnosis took too long.", "Die Diagnose hat zu lange gedauert."),
 "errorUnsupported": ("This account type cannot be diagnosed.", "Diese Kontoart kann nicht geprüft werden."),
 "errorGeneric": ("The diagnosis failed:", "Die Diagnose ist fehlgeschlagen:"),
 "noAccounts": ("No IMAP or POP3 accounts.", "Keine IMAP- oder POP3-Konten."),
 "checksHeading": ("Checks", "Prüfschritte"),
 "transcriptHeading": ("Conversation with the server (passwords removed)", "Gespräch mit dem Server (ohne Passwörter)"),
 "evidenceHeading": ("The server said:", "Der Server antwortete:"),
 "observedHeading": ("Thunderbird said:", "Thunderbird meldete:"),
 "testPasswordButton": ("Also test the saved password", "Gespeichertes Passwort mittesten"),
 "testPasswordHint": ("This check did not log in. Testing the saved password sends it only to your own mail server.", "Diese Prüfung hat sich nicht angemeldet. Beim Testen wird das gespeicherte Passwort nur an Ihren eigenen Mailserver gesendet."),
 "allGood": ("No problem found.", "Kein Problem gefunden."),
 "inconclusiveText": ("maildoctor could not tell for sure. The details may help.", "maildoctor konnte es nicht sicher feststellen. Die Details können helfen."),
 "menuDiagnose": ("Diagnose this account", "Dieses Konto prüfen"),
 "triggerLoginFailure": ("after a failed login", "nach einer fehlgeschlagenen Anmeldung"),
 "triggerSendFailure": ("after a failed send", "nach einem fehlgeschlagenen Versand"),
 "triggerStartup": ("at start-up", "beim Start"),
 "triggerPopup": ("on request", "auf Anfrage"),
 "triggerAfterFix": ("after a change", "nach einer Änderung"),
 "checkedAt": ("Checked at $TIME$, $TRIGGER$", "Geprüft um $TIME$, $TRIGGER$", {"TIME": "$1", "TRIGGER": "$2"}),
 "fixApplied": ("Changed. Checking again…", "Geändert. Wird erneut geprüft…"),
 "fixFailed": ("The change failed:", "Die Änderung ist fehlgeschlagen:"),
 "stepDns": ("Name lookup", "Namensauflösung"),
 "stepConnect": ("Connection", "Verbindung"),
 "stepTls": ("Encryption", "Verschlüsselung"),
 "stepGreeting": ("Greeting", "Begrüßung"),
 "stepCapabilities": ("Capabilities", "Fähigkeiten"),
 "stepAuth": ("Login", "Anmeldung"),
 "checkPass": ("passed", "bestanden"),
 "checkFail": ("failed", "fehlgeschlagen"),
 "checkSkip": ("skipped", "übersprungen"),
 "optionsTitle": ("maildoctor options", "maildoctor-Einstellungen"),
 "optionAutoDiagnose": ("Diagnose an account automatically when its login fails", "Ein Konto automatisch prüfen, wenn seine Anmeldung fehlschlägt"),
 "optionSavedPassword": ("Test the saved password during a diagnosis", "Gespeichertes Passwort bei der Diagnose testen"),
 "optionAsk": ("Ask each time", "Jedes Mal fragen"),
 "optionAlways": ("Always", "Immer"),
 "optionNever": ("Never", "Nie"),
 "optionsSaved": ("Saved.", "Gespeichert."),
 "reportTitle": ("maildoctor report", "maildoctor-Bericht"),
 "uiLanguage": ("en", "de"),
 "providerUnknown": ("your mail provider", "Ihrem Anbieter"),
 "securityNone": ("no encryption", "keine Verschlüsselung"),
 "statusConsent": ("Test the password?", "Passwort testen?"),
 "statusQueued": ("Waiting…", "Wartet…"),
 "stepStarttls": ("Encryption (STARTTLS)", "Verschlüsselung (STARTTLS)"),
 "stepMailbox": ("Mailbox", "Postfach"),
 "stepSender": ("Sender", "Absender"),
 "stepDiscover": ("Finding the servers", "Server-Suche"),
 "basis_server_words": ("Based on the server's own words, as Thunderbird showed them. The login was not tried here.", "Beruht auf der Antwort des Servers, wie Thunderbird sie zeigte. Die Anmeldung wurde hier nicht versucht."),
 "basis_provider_policy": ("Based on what $PROVIDER$ publishes about mail programs. The login was not tried here.", "Beruht auf den Angaben von $PROVIDER$ zu Mailprogrammen. Die Anmeldung wurde hier nicht versucht.", {"PROVIDER": "$1"}),
 "basis_observed_failure": ("Based only on Thunderbird's failed login.", "Beruht nur auf Thunderbirds fehlgeschlagener Anmeldung."),
 "possibleCausesHeading": ("Other possible causes:", "Weitere mögliche Ursachen:"),
 "testPasswordOnceButton": ("Test the saved password once", "Gespeichertes Passwort einmal testen"),
 "testPasswordNever": ("Testing the saved password is switched off in the options. Enter a new password below to test it.", "Das Testen des gespeicherten Passworts ist in den Einstellungen abgeschaltet. Geben Sie unten ein neues Passwort ein, um es zu testen."),
 "withheldNote": ("The saved password was refused by this server at $TIME$. maildoctor does not send it again for 30 minutes, so the account is not locked.", "Der Server hat das gespeicherte Passwort um $TIME$ abgelehnt. maildoctor sendet es 30 Minuten lang nicht erneut, damit das Konto nicht gesperrt wird.", {"TIME": "$1"}),
 "newPasswordButton": ("Enter a new app password", "Neues App-Passwort eingeben"),
 "newPasswordButtonPlain": ("Enter a new password", "Neues Passwort eingeben"),
 "newPasswordIntro": ("Create the new password on the provider's page, then paste it here. maildoctor tests it with one login on each server and saves it in Thunderbird only if it is accepted.", "Erstellen Sie das neue Passwort auf der Seite des Anbieters und fügen Sie es hier ein. maildoctor testet es mit einer Anmeldung je Server und speichert es in Thunderbird nur, wenn es angenommen wird."),
 "newPasswordLabel": ("New password", "Neues Passwort"),
 "newPasswordTest": ("Test and save", "Testen und speichern"),
 "newPasswordTesting": ("Testing the new password…", "Das neue Passwort wird getestet…"),
 "newPasswordSaved": ("The server accepted the new password. It is saved in Thunderbird.", "Der Server hat das neue Passwort angenommen. Es ist in Thunderbird gespeichert."),
 "newPasswordSaveFailed": ("The server accepted the new password, but Thunderbird could not save it. Type it in when Thunderbird asks for the password.", "Der Server hat das neue Passwort angenommen, aber Thunderbird konnte es nicht speichern. Geben Sie es ein, wenn Thunderbird nach dem Passwort fragt."),
 "newPasswordRefused": ("The server refused this password. Nothing was saved.", "Der Server hat dieses Passwort abgelehnt. Es wurde nichts gespeichert."),
 "newPasswordWithheld": ("This password was refused a moment ago. It is not sent again; nothing was saved.", "Dieses Passwort wurde gerade abgelehnt. Es wird nicht erneut gesendet; es wurde nichts gespeichert."),
 "newPasswordInvalid": ("This password cannot be used (empty, or with a line break).", "Dieses Passwort ist nicht verwendbar (leer oder mit Zeilenumbruch)."),
 "newPasswordNotTried": ("The login could not be tried. Nothing was saved. The details say why.", "Die Anmeldung konnte nicht versucht werden. Es wurde nichts gespeichert. Die Details nennen den Grund."),
 "undoOffer": ("The change did not help.", "Die Änderung hat nicht geholfen."),
 "undoButton": ("Undo: set $SETTING$ back to $VALUE$", "Rückgängig: $SETTING$ wieder auf $VALUE$", {"SETTING": "$1", "VALUE": "$2"}),
 "undoAppliedNote": ("Changed: $SETTING$ from $OLD$ to $NEW$.", "Geändert: $SETTING$ von $OLD$ auf $NEW$.", {"SETTING": "$1", "NEW": "$2", "OLD": "$3"}),
 "undoBlockedSecurity": ("There is no Undo: it would lower the connection's security.", "Es gibt kein Rückgängig: Es würde die Sicherheit der Verbindung senken."),
 "undoRefused": ("Not undone: the setting was changed since, or the offer expired.", "Nicht rückgängig gemacht: Die Einstellung wurde inzwischen geändert, oder das Angebot ist abgelaufen."),
 "undoDone": ("Restored. Checking again…", "Wiederhergestellt. Wird erneut geprüft…"),
 "triggerNewPassword": ("with the new password", "mit dem neuen Passwort"),
 "triggerAfterUndo": ("after undoing a change", "nach dem Rückgängigmachen"),
 "notificationTitleAccount": ("maildoctor: $ACCOUNT$", "maildoctor: $ACCOUNT$", {"ACCOUNT": "$1"}),
 "menuStatus": ("maildoctor: $CAUSE$", "maildoctor: $CAUSE$", {"CAUSE": "$1"}),
 "markerTooltip": ("$ACCOUNT$: $CAUSE$ (click for details)", "$ACCOUNT$: $CAUSE$ (Klicken für Details)", {"ACCOUNT": "$1", "CAUSE": "$2"}),
}

# Variants for a finding that carries params.action: the same code, asked as a question.
ACTION_FINDINGS = {
 "auth.not_tested.test_password": (("Test the saved password once?", "Thunderbird could not log in, and nothing known about this server tells why. One login with the saved password would settle it."),
                                   ("Gespeichertes Passwort einmal testen?", "Thunderbird konnte sich nicht anmelden, und nichts Bekanntes über diesen Server erklärt es. Eine Anmeldung mit dem gespeicherten Passwort würde es klären.")),
}

# {provider}, {host}, {port}, {protocol} are filled from the finding's params by shared/findings.js.
FINDINGS = {
 "dns.not_found": (("The server name does not exist", "The name {host} does not exist. Check the server name in the account settings for typing errors."),
                   ("Der Servername existiert nicht", "Den Namen {host} gibt es nicht. Prüfen Sie den Servernamen in den Kontoeinstellungen auf Tippfehler.")),
 "dns.failed": (("The server name could not be looked up", "The name service did not answer. Check your internet connection."),
                ("Der Servername konnte nicht aufgelöst werden", "Der Namensdienst hat nicht geantwortet. Prüfen Sie Ihre Internetverbindung.")),
 "net.refused": (("The server refuses connections on this port", "Nothing answers on {host} port {port}. The port is probably wrong."),
                 ("Der Server lehnt Verbindungen auf diesem Port ab", "Auf {host} Port {port} antwortet nichts. Vermutlich ist der Port falsch.")),
 "net.timeout": (("The server does not answer", "A firewall drops the connection, or the server is down."),
                 ("Der Server antwortet nicht", "Eine Firewall verwirft die Verbindung, oder der Server ist nicht erreichbar.")),
 "net.port_blocked": (("This port is blocked on your network", "The server answers on another port. Your network blocks this one."),
                      ("Dieser Port ist in Ihrem Netz gesperrt", "Der Server antwortet auf einem anderen Port. Ihr Netz sperrt diesen.")),
 "net.unreachable": (("The server cannot be reached", "There is no route to the server. Check your network connection."),
                     ("Der Server ist nicht erreichbar", "Es gibt keinen Weg zum Server. Prüfen Sie Ihre Netzwerkverbindung.")),
 "tls.wrong_mode": (("Wrong kind of encryption for this port", "SSL/TLS and STARTTLS are mixed up: this port expects the other one."),
                    ("Falsche Verschlüsselungsart für diesen Port", "SSL/TLS und STARTTLS sind vertauscht: Dieser Port erwartet die andere Art.")),
 "tls.starttls_unavailable": (("The server does not offer STARTTLS", "The settings ask for STARTTLS, but this server does not offer it on this port."),
                              ("Der Server bietet kein STARTTLS an", "Die Einstellungen verlangen STARTTLS, aber der Server bietet es auf diesem Port nicht an.")),
 "tls.handshake_failed": (("The encrypted connection could not be set up", "The TLS handshake with the server failed."),
                          ("Die verschlüsselte Verbindung kam nicht zustande", "Der TLS-Verbindungsaufbau mit dem Server ist fehlgeschlagen.")),
 "tls.starttls_injected": (("Unexpected data when switching to encryption", "The server sent more data right after agreeing to STARTTLS. Something on the network may have inserted it, so no password was sent. Try another network or the SSL/TLS port."),
                           ("Unerwartete Daten beim Wechsel zur Verschlüsselung", "Der Server hat direkt nach der Zusage zu STARTTLS weitere Daten gesendet. Sie könnten im Netz eingeschleust worden sein, daher wurde kein Passwort gesendet. Versuchen Sie ein anderes Netz oder den SSL/TLS-Port.")),
 "tls.version_too_old": (("The server only offers outdated encryption", "The server speaks only TLS 1.1 or older, which is no longer accepted."),
                         ("Der Server bietet nur veraltete Verschlüsselung", "Der Server spricht nur TLS 1.1 oder älter, das nicht mehr akzeptiert wird.")),
 "tls.cert_expired": (("The server's certificate has expired", "The server's operator must renew the certificate."),
                      ("Das Zertifikat des Servers ist abgelaufen", "Der Betreiber des Servers muss das Zertifikat erneuern.")),
 "tls.cert_not_yet_valid": (("The server's certificate is not valid yet", "Check your computer's date and time."),
                            ("Das Zertifikat des Servers ist noch nicht gültig", "Prüfen Sie Datum und Uhrzeit Ihres Computers.")),
 "tls.cert_hostname_mismatch": (("The certificate is for a different server name", "The certificate does not name the server in your settings. The correct name may be one it does name."),
                                ("Das Zertifikat gilt für einen anderen Servernamen", "Das Zertifikat nennt den Server aus Ihren Einstellungen nicht. Der richtige Name ist vielleicht einer der genannten.")),
 "tls.cert_self_signed": (("The server's certificate is self-signed", "Nobody vouches for this certificate. Ask the server's operator."),
                          ("Das Zertifikat des Servers ist selbst signiert", "Niemand bürgt für dieses Zertifikat. Fragen Sie den Betreiber des Servers.")),
 "tls.cert_untrusted": (("The server's certificate is not trusted", "The certificate's issuer is unknown or the chain is incomplete."),
                        ("Dem Zertifikat des Servers wird nicht vertraut", "Der Aussteller ist unbekannt oder die Zertifikatskette ist unvollständig.")),
 "proto.unexpected_greeting": (("Another kind of server answers on this port", "The port belongs to a different protocol. The port is probably wrong."),
                               ("Auf diesem Port antwortet ein anderer Dienst", "Der Port gehört zu einem anderen Protokoll. Vermutlich ist der Port falsch.")),
 "proto.no_greeting": (("The server accepted the connection but never spoke", "Often a sign of SSL/TLS and STARTTLS being mixed up."),
                       ("Der Server nahm die Verbindung an, schwieg aber", "Oft ein Zeichen für vertauschtes SSL/TLS und STARTTLS.")),
 "proto.server_unavailable": (("The server is temporarily unavailable", "The server refused service for now. Try again later."),
                              ("Der Server ist vorübergehend nicht verfügbar", "Der Server verweigert den Dienst im Moment. Versuchen Sie es später erneut.")),
 "proto.too_many_connections": (("Too many connections", "The server limits connections per user or address. Close other mail programs."),
                                ("Zu viele Verbindungen", "Der Server begrenzt die Verbindungen pro Benutzer oder Adresse. Schließen Sie andere Mailprogramme.")),
 "auth.wrong_password": (("The password (or user name) is wrong", "The server rejected the user name and password. Enter the current password."),
                         ("Das Passwort (oder der Benutzername) ist falsch", "Der Server hat Benutzername und Passwort abgelehnt. Geben Sie das aktuelle Passwort ein.")),
 "auth.app_password_required": (("An app password is needed", "Your account at {provider} uses 2-step verification. Create an app-specific password and use it here."),
                                ("Ein App-Passwort ist nötig", "Ihr Konto bei {provider} nutzt die Bestätigung in zwei Schritten. Erstellen Sie ein App-Passwort und verwenden Sie es hier.")),
 "auth.oauth_required": (("This account needs OAuth2 sign-in", "Password logins are switched off. Set the authentication method to OAuth2."),
                         ("Dieses Konto braucht die OAuth2-Anmeldung", "Anmeldungen mit Passwort sind abgeschaltet. Stellen Sie die Authentifizierung auf OAuth2.")),
 "auth.protocol_disabled": (("Mail access is switched off for this account", "Switch IMAP/POP/SMTP access on in your account's web settings."),
                            ("Der Mailzugriff ist für dieses Konto abgeschaltet", "Schalten Sie IMAP/POP/SMTP in den Web-Einstellungen Ihres Kontos ein.")),
 "auth.web_login_required": (("Sign in on the web first", "The provider blocked the sign-in until you sign in on its website."),
                             ("Melden Sie sich zuerst im Web an", "Der Anbieter blockiert die Anmeldung, bis Sie sich auf seiner Website anmelden.")),
 "auth.account_locked": (("The account is locked", "The account is locked, suspended or disabled. Contact your provider."),
                         ("Das Konto ist gesperrt", "Das Konto ist gesperrt oder deaktiviert. Wenden Sie sich an Ihren Anbieter.")),
 "auth.username_format": (("The user name has the wrong form", "The server expects another form, often the full e-mail address."),
                          ("Der Benutzername hat die falsche Form", "Der Server erwartet eine andere Form, oft die vollständige E-Mail-Adresse.")),
 "auth.tls_required": (("The server requires encryption before login", "Switch connection security to SSL/TLS or STARTTLS."),
                       ("Der Server verlangt Verschlüsselung vor der Anmeldung", "Stellen Sie die Verbindungssicherheit auf SSL/TLS oder STARTTLS.")),
 "auth.mechanism_unsupported": (("The authentication method is not offered", "The server does not offer the configured authentication method."),
                                ("Die Authentifizierungsmethode wird nicht angeboten", "Der Server bietet die eingestellte Authentifizierungsmethode nicht an.")),
 "auth.rate_limited": (("Too many login attempts", "The server blocks logins for now. Wait a while, then try again."),
                       ("Zu viele Anmeldeversuche", "Der Server sperrt Anmeldungen vorübergehend. Warten Sie etwas und versuchen Sie es erneut.")),
 "auth.tenant_disabled": (("Your organisation switched this access off", "Ask your administrator to allow this kind of mail access."),
                          ("Ihre Organisation hat diesen Zugriff abgeschaltet", "Bitten Sie Ihre Administration, diese Art des Mailzugriffs zu erlauben.")),
 "auth.bridge_required": (("This provider needs its bridge program", "Install and start the provider's bridge, then connect through it."),
                          ("Dieser Anbieter braucht sein Bridge-Programm", "Installieren und starten Sie die Bridge des Anbieters und verbinden Sie sich darüber.")),
 "auth.failed": (("The server refused the login", "The server's own words are below."),
                 ("Der Server hat die Anmeldung abgelehnt", "Die Antwort des Servers steht unten.")),
 "smtp.relay_denied": (("The server refuses to send for this login", "The outgoing server does not relay mail for this login."),
                       ("Der Server verweigert den Versand für diese Anmeldung", "Der Postausgangsserver leitet für diese Anmeldung keine Mail weiter.")),
 "smtp.sender_not_authorized": (("This login may not send as this address", "Use the address that belongs to this login, or ask your provider."),
                                ("Diese Anmeldung darf nicht mit dieser Adresse senden", "Verwenden Sie die Adresse, die zu dieser Anmeldung gehört, oder fragen Sie Ihren Anbieter.")),
 "config.better_settings": (("Other settings work", "Another server setting works where the configured one fails."),
                            ("Andere Einstellungen funktionieren", "Eine andere Servereinstellung funktioniert, wo die eingestellte scheitert.")),
 "auth.not_tested": (("The login was not tried", "No password was given, or testing it is switched off, so the login itself was not tried."),
                     ("Die Anmeldung wurde nicht getestet", "Es wurde kein Passwort übergeben oder das Testen ist abgeschaltet, daher wurde die Anmeldung selbst nicht versucht.")),
 "proto.mailbox_unusable": (("Logged in, but the mailbox cannot be opened", "The server took the login and then refused to open the mailbox. The provider may block this kind of access; its words are below."),
                            ("Angemeldet, aber das Postfach lässt sich nicht öffnen", "Der Server hat die Anmeldung angenommen und dann das Öffnen des Postfachs verweigert. Der Anbieter sperrt vielleicht diese Zugriffsart; seine Antwort steht unten.")),
 "proto.stalled": (("The server stopped answering", "The server greeted and then stopped answering before the login. Try again later, or check the port and encryption."),
                   ("Der Server antwortet nicht mehr", "Der Server hat sich gemeldet und dann vor der Anmeldung nicht mehr geantwortet. Versuchen Sie es später erneut oder prüfen Sie Port und Verschlüsselung.")),
 "proto.bad_reply": (("The server sent an invalid reply", "The server greeted and then sent a reply that is too large or not valid for the protocol. The port may belong to another service."),
                     ("Der Server hat eine ungültige Antwort gesendet", "Der Server hat sich gemeldet und dann eine zu große oder für das Protokoll ungültige Antwort gesendet. Der Port gehört vielleicht zu einem anderen Dienst.")),
 "config.differs_from_provider": (("The settings differ from the provider's", "Your settings differ from what the provider publishes."),
                                  ("Die Einstellungen weichen vom Anbieter ab", "Ihre Einstellungen weichen von den Angaben des Anbieters ab.")),
 "config.cutoff_ahead": (("The provider is ending the login method this account uses", "On a date the provider has announced, this account's settings stop working. Change them before that day, as shown below."),
                         ("Der Anbieter stellt die Anmeldeart dieses Kontos ein", "Ab einem vom Anbieter angekündigten Datum funktionieren die Einstellungen dieses Kontos nicht mehr. Ändern Sie sie vorher wie unten beschrieben.")),
 "tls.cert_expires_soon": (("The server's certificate expires soon", "The server's certificate ends within 14 days. After that the connection will be refused until the operator renews it."),
                           ("Das Zertifikat des Servers läuft bald ab", "Das Zertifikat des Servers endet innerhalb von 14 Tagen. Danach wird die Verbindung abgelehnt, bis der Betreiber es erneuert.")),
}


def finding_key(code, part):
    # Message names allow only [A-Za-z0-9_@]; shared/findings.js builds the same key.
    return "finding_" + "".join(c if c.isalnum() else "_" for c in code) + "_" + part


def build(lang):
    i = 0 if lang == "en" else 1
    out = {}
    for key, spec in UI.items():
        entry = {"message": spec[i]}
        if len(spec) > 2:
            entry["placeholders"] = {name.lower(): {"content": content} for name, content in spec[2].items()}
        out[key] = entry
    for code, texts in list(FINDINGS.items()) + list(ACTION_FINDINGS.items()):
        title, detail = texts[i]
        out[finding_key(code, "title")] = {"message": title}
        out[finding_key(code, "detail")] = {"message": detail}
    return out


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_locales")
    for lang in ("en", "de"):
        text = json.dumps(build(lang), ensure_ascii=False, indent=1) + "\n"
        path = os.path.join(root, lang, "messages.json")
        if "--check" in sys.argv:
            if open(path, encoding="utf-8").read() != text:
                sys.exit(f"{path} is out of date: run extension/tools/locales.py")
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w", encoding="utf-8").write(text)


main()
