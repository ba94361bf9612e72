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
 "notificationTitle": ("$ACCOUNT$: cannot log in", "$ACCOUNT$: Anmeldung nicht möglich", {"ACCOUNT": "$1"}),
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
}

FINDINGS = {
 "dns.not_found": (("The server name does not exist", "Check the server name in the account settings for typing errors."),
                   ("Der Servername existiert nicht", "Prüfen Sie den Servernamen in den Kontoeinstellungen auf Tippfehler.")),
 "dns.failed": (("The server name could not be looked up", "The name service did not answer. Check your internet connection."),
                ("Der Servername konnte nicht aufgelöst werden", "Der Namensdienst hat nicht geantwortet. Prüfen Sie Ihre Internetverbindung.")),
 "net.refused": (("The server refuses connections on this port", "Nothing answers on this server and port. The port is probably wrong."),
                 ("Der Server lehnt Verbindungen auf diesem Port ab", "Auf diesem Server und Port antwortet nichts. Vermutlich ist der Port falsch.")),
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
 "auth.app_password_required": (("An app password is needed", "Your account uses 2-step verification. Create an app-specific password and use it here."),
                                ("Ein App-Passwort ist nötig", "Ihr Konto nutzt die Bestätigung in zwei Schritten. Erstellen Sie ein App-Passwort und verwenden Sie es hier.")),
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
 "config.differs_from_provider": (("The settings differ from the provider's", "Your settings differ from what the provider publishes."),
                                  ("Die Einstellungen weichen vom Anbieter ab", "Ihre Einstellungen weichen von den Angaben des Anbieters ab.")),
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
    for code, texts in FINDINGS.items():
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
