<#
.SYNOPSIS
  Installs maildoctor for the current Windows user: the host binary, its native-messaging manifest, and the
  registry key through which Thunderbird finds the manifest.
.DESCRIPTION
  Thunderbird on Windows looks up HKCU\Software\Mozilla\NativeMessagingHosts\maildoctor; the key's default value is
  the full path of the manifest. The manifest comes from the one template, manifests\maildoctor.json.in, with the
  same two values the CMake build fills in: the host's absolute path and the allowed add-on id(s).
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installer\windows\install.ps1 -Binary build\release\host\maildoctor.exe
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installer\windows\install.ps1 -Uninstall
#>
param(
  [string]$Binary = (Join-Path $PSScriptRoot '..\..\build\release\host\maildoctor.exe'),
  [string[]]$AllowExtension = @(),
  [switch]$Uninstall,
  [switch]$PrintPaths
)
$ErrorActionPreference = 'Stop'

$RegistryKey = 'HKCU:\Software\Mozilla\NativeMessagingHosts\maildoctor'
$InstallDir = Join-Path $env:LOCALAPPDATA 'maildoctor'
$HostPath = Join-Path $InstallDir 'maildoctor.exe'
$ManifestPath = Join-Path $InstallDir 'maildoctor.json'
$RepoRoot = Join-Path $PSScriptRoot '..\..'
$Template = Join-Path $RepoRoot 'manifests\maildoctor.json.in'

function Say([string]$Text) { Write-Output "maildoctor: $Text" }

# The add-on id is defined once, as the CMake cache default in CMakeLists.txt.
function Get-ExtensionId {
  $m = Select-String -Path (Join-Path $RepoRoot 'CMakeLists.txt') -Pattern 'set\(MAILDOCTOR_EXTENSION_ID "([^"]+)"'
  if (-not $m) { throw 'cannot read MAILDOCTOR_EXTENSION_ID from CMakeLists.txt' }
  return $m.Matches[0].Groups[1].Value
}

# A JSON string literal without its quotes: the template already has them around each placeholder.
function ConvertTo-JsonInner([string]$Value) {
  $quoted = ConvertTo-Json -InputObject $Value -Compress
  return $quoted.Substring(1, $quoted.Length - 2)
}

if ($PrintPaths) {
  Write-Output "binary=$HostPath"
  Write-Output "manifest=$ManifestPath"
  Write-Output "registry=$RegistryKey"
  exit 0
}

if ($Uninstall) {
  if (Test-Path $RegistryKey) { Remove-Item -Path $RegistryKey -Force; Say "removed the registry key $RegistryKey" }
  foreach ($f in @($ManifestPath, $HostPath)) {
    if (Test-Path $f) { Remove-Item -Path $f -Force; Say "removed $f" }
  }
  if ((Test-Path $InstallDir) -and -not (Get-ChildItem $InstallDir)) { Remove-Item $InstallDir; Say "removed folder $InstallDir" }
  exit 0
}

if (-not (Test-Path $Binary)) { throw "no host binary at ${Binary}; build it first (cmake --preset release; cmake --build --preset release)" }
New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
Copy-Item -Path $Binary -Destination $HostPath -Force
Say "installed $HostPath"

$ids = @(Get-ExtensionId) + $AllowExtension
$allowed = ($ids | ForEach-Object { '"' + (ConvertTo-JsonInner $_) + '"' }) -join ', '
$manifest = (Get-Content -Raw -Path $Template).
  Replace('@MAILDOCTOR_HOST_PATH@', (ConvertTo-JsonInner $HostPath)).
  Replace('@MAILDOCTOR_ALLOWED_EXTENSIONS@', $allowed)
[System.IO.File]::WriteAllText($ManifestPath, $manifest, (New-Object System.Text.UTF8Encoding $false))
Say "installed $ManifestPath"

New-Item -Path $RegistryKey -Force | Out-Null
Set-Item -Path $RegistryKey -Value $ManifestPath
Say "set $RegistryKey to $ManifestPath"
