using System.Collections.Frozen;
using System.Globalization;

namespace OnePass.IdentityProvider.Features.Site;

/// <summary>
/// The words on the sign-in pages in the supported languages (English, French, Korean), picked by the
/// request culture (<c>ui_locales</c>, then the browser's languages). Unknown keys fall back to English.
/// </summary>
public static class Texts
{
    public static IReadOnlyList<string> Cultures { get; } = ["en", "fr", "ko"];

    private static readonly FrozenDictionary<string, FrozenDictionary<string, string>> Table = new Dictionary<string, FrozenDictionary<string, string>>
    {
        ["en"] = new Dictionary<string, string>
        {
            ["app.name"] = "OnePass",
            ["app.tagline"] = "One account for every public service.",
            ["login.title"] = "Sign in",
            ["login.username"] = "Username or e-mail",
            ["login.password"] = "Password",
            ["login.submit"] = "Sign in",
            ["login.failed"] = "The username or password is incorrect.",
            ["consent.title"] = "Share your information?",
            ["consent.intro"] = "{0} asks to:",
            ["consent.allow"] = "Allow",
            ["consent.deny"] = "Deny",
            ["consent.remember"] = "You can withdraw this permission at any time from your account.",
            ["scope.openid"] = "Sign you in with your OnePass account",
            ["scope.profile"] = "See your name and username",
            ["scope.email"] = "See your e-mail address",
            ["scope.offline_access"] = "Stay connected while you are away",
            ["logout.title"] = "Sign out?",
            ["logout.question"] = "Do you want to sign out of OnePass on this device?",
            ["logout.yes"] = "Sign out",
            ["logout.no"] = "Stay signed in",
            ["logout.agencies"] = "Signing you out of the agencies you used…",
            ["logout.continue"] = "Continue",
            ["signedout.title"] = "You are signed out",
            ["signedout.text"] = "You have signed out of OnePass. You can close this window.",
            ["error.title"] = "Something is not right",
            ["error.text"] = "The request could not be completed. Go back to the agency's site and try again.",
            ["unavailable.title"] = "Please try again in a moment",
            ["unavailable.text"] = "OnePass is briefly unavailable. Wait a few seconds and try again; if it keeps happening, start again from the agency's site.",
            ["home.signedin"] = "You are signed in as {0}.",
            ["home.signedout"] = "You are not signed in.",
            ["sessions.title"] = "Where you're signed in",
            ["sessions.intro"] = "These are the devices and browsers signed in to your OnePass account. If you do not recognise one, sign it out and change your password.",
            ["sessions.thisDevice"] = "This device",
            ["sessions.ip"] = "IP address",
            ["sessions.started"] = "Started",
            ["sessions.lastSeen"] = "Last seen",
            ["sessions.agencies"] = "Signed in to",
            ["sessions.noAgencies"] = "No agency yet",
            ["sessions.unknown"] = "Unknown",
            ["sessions.device"] = "{0} on {1}",
            ["sessions.unknownBrowser"] = "Unknown browser",
            ["sessions.signOut"] = "Sign out",
            ["sessions.signOutOthers"] = "Sign out everywhere else",
            ["sessions.signOutOthersHelp"] = "Signs out every device and browser above except this one.",
            ["sessions.signOutHere"] = "Sign out on this device",
        }.ToFrozenDictionary(),
        ["fr"] = new Dictionary<string, string>
        {
            ["app.tagline"] = "Un seul compte pour tous les services publics.",
            ["login.title"] = "Connexion",
            ["login.username"] = "Identifiant ou adresse e-mail",
            ["login.password"] = "Mot de passe",
            ["login.submit"] = "Se connecter",
            ["login.failed"] = "L'identifiant ou le mot de passe est incorrect.",
            ["consent.title"] = "Partager vos informations ?",
            ["consent.intro"] = "{0} demande à :",
            ["consent.allow"] = "Autoriser",
            ["consent.deny"] = "Refuser",
            ["consent.remember"] = "Vous pouvez retirer cette autorisation à tout moment depuis votre compte.",
            ["scope.openid"] = "Vous connecter avec votre compte OnePass",
            ["scope.profile"] = "Voir votre nom et votre identifiant",
            ["scope.email"] = "Voir votre adresse e-mail",
            ["scope.offline_access"] = "Rester connecté en votre absence",
            ["logout.title"] = "Se déconnecter ?",
            ["logout.question"] = "Voulez-vous vous déconnecter de OnePass sur cet appareil ?",
            ["logout.yes"] = "Se déconnecter",
            ["logout.no"] = "Rester connecté",
            ["logout.agencies"] = "Déconnexion des services utilisés en cours…",
            ["logout.continue"] = "Continuer",
            ["signedout.title"] = "Vous êtes déconnecté",
            ["signedout.text"] = "Vous vous êtes déconnecté de OnePass. Vous pouvez fermer cette fenêtre.",
            ["error.title"] = "Un problème est survenu",
            ["error.text"] = "La demande n'a pas pu aboutir. Retournez sur le site de l'administration et réessayez.",
            ["unavailable.title"] = "Veuillez réessayer dans un instant",
            ["unavailable.text"] = "OnePass est momentanément indisponible. Attendez quelques secondes et réessayez ; si cela persiste, recommencez depuis le site de l'administration.",
            ["home.signedin"] = "Vous êtes connecté en tant que {0}.",
            ["home.signedout"] = "Vous n'êtes pas connecté.",
            ["sessions.title"] = "Où vous êtes connecté",
            ["sessions.intro"] = "Voici les appareils et navigateurs connectés à votre compte OnePass. Si vous n'en reconnaissez pas un, déconnectez-le et changez votre mot de passe.",
            ["sessions.thisDevice"] = "Cet appareil",
            ["sessions.ip"] = "Adresse IP",
            ["sessions.started"] = "Ouverte le",
            ["sessions.lastSeen"] = "Dernière activité",
            ["sessions.agencies"] = "Connecté à",
            ["sessions.noAgencies"] = "Aucun service pour l'instant",
            ["sessions.unknown"] = "Inconnue",
            ["sessions.device"] = "{0} sur {1}",
            ["sessions.unknownBrowser"] = "Navigateur inconnu",
            ["sessions.signOut"] = "Se déconnecter",
            ["sessions.signOutOthers"] = "Se déconnecter partout ailleurs",
            ["sessions.signOutOthersHelp"] = "Déconnecte tous les appareils et navigateurs ci-dessus, sauf celui-ci.",
            ["sessions.signOutHere"] = "Se déconnecter sur cet appareil",
        }.ToFrozenDictionary(),
        ["ko"] = new Dictionary<string, string>
        {
            ["app.tagline"] = "모든 공공 서비스를 위한 하나의 계정.",
            ["login.title"] = "로그인",
            ["login.username"] = "아이디 또는 이메일",
            ["login.password"] = "비밀번호",
            ["login.submit"] = "로그인",
            ["login.failed"] = "아이디 또는 비밀번호가 올바르지 않습니다.",
            ["consent.title"] = "정보를 제공하시겠습니까?",
            ["consent.intro"] = "{0}에서 다음을 요청합니다:",
            ["consent.allow"] = "허용",
            ["consent.deny"] = "거부",
            ["consent.remember"] = "이 권한은 계정에서 언제든지 철회할 수 있습니다.",
            ["scope.openid"] = "OnePass 계정으로 로그인",
            ["scope.profile"] = "이름과 아이디 확인",
            ["scope.email"] = "이메일 주소 확인",
            ["scope.offline_access"] = "자리를 비운 동안에도 연결 유지",
            ["logout.title"] = "로그아웃하시겠습니까?",
            ["logout.question"] = "이 기기에서 OnePass 로그아웃을 하시겠습니까?",
            ["logout.yes"] = "로그아웃",
            ["logout.no"] = "로그인 유지",
            ["logout.agencies"] = "이용한 기관에서 로그아웃하는 중…",
            ["logout.continue"] = "계속",
            ["signedout.title"] = "로그아웃되었습니다",
            ["signedout.text"] = "OnePass에서 로그아웃했습니다. 이 창을 닫으셔도 됩니다.",
            ["error.title"] = "문제가 발생했습니다",
            ["error.text"] = "요청을 완료할 수 없습니다. 기관 사이트로 돌아가 다시 시도하십시오.",
            ["unavailable.title"] = "잠시 후 다시 시도하십시오",
            ["unavailable.text"] = "OnePass를 잠시 사용할 수 없습니다. 몇 초 후에 다시 시도하고, 계속되면 기관 사이트에서 다시 시작하십시오.",
            ["home.signedin"] = "{0}(으)로 로그인되어 있습니다.",
            ["home.signedout"] = "로그인되어 있지 않습니다.",
            ["sessions.title"] = "로그인된 곳",
            ["sessions.intro"] = "OnePass 계정에 로그인된 기기와 브라우저입니다. 알 수 없는 항목이 있으면 로그아웃시키고 비밀번호를 변경하십시오.",
            ["sessions.thisDevice"] = "이 기기",
            ["sessions.ip"] = "IP 주소",
            ["sessions.started"] = "시작",
            ["sessions.lastSeen"] = "마지막 활동",
            ["sessions.agencies"] = "로그인한 기관",
            ["sessions.noAgencies"] = "아직 없음",
            ["sessions.unknown"] = "알 수 없음",
            ["sessions.device"] = "{1}의 {0}",
            ["sessions.unknownBrowser"] = "알 수 없는 브라우저",
            ["sessions.signOut"] = "로그아웃",
            ["sessions.signOutOthers"] = "다른 모든 곳에서 로그아웃",
            ["sessions.signOutOthersHelp"] = "이 기기를 제외한 위의 모든 기기와 브라우저에서 로그아웃합니다.",
            ["sessions.signOutHere"] = "이 기기에서 로그아웃",
        }.ToFrozenDictionary(),
    }.ToFrozenDictionary();

    public static string Language
    {
        get
        {
            var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
            return Table.ContainsKey(language) ? language : "en";
        }
    }

    public static string Get(string key) =>
        Table[Language].TryGetValue(key, out var text) ? text
        : Table["en"].TryGetValue(key, out var english) ? english
        : key;

    public static string Format(string key, params object?[] arguments) =>
        string.Format(CultureInfo.CurrentCulture, Get(key), arguments);
}
